package dev.csmserver.config;

import dev.csmserver.contexts.ContextExistsException;
import dev.csmserver.contexts.ContextStore;
import dev.csmserver.contexts.ContextStoreUnavailableException;
import dev.csmserver.contexts.CorruptContextException;
import dev.csmserver.contexts.StoredContext;
import dev.csmserver.contexts.StoredContextCodec;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.sortedset.ZAddArgs;
import io.quarkus.redis.datasource.sortedset.ZRangeArgs;
import io.quarkus.redis.datasource.transactions.TransactionResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ContextStore} in Redis, shared by every replica behind the Service: a context uploaded
 * through one pod is usable through any other. Each context is one string key holding the {@link
 * StoredContextCodec} bytes ({@code <prefix>ctx:<id>}); a sorted set ({@code <prefix>index}, score
 * = creation time in ms) orders the listing. Creates and deletes touch both in one MULTI/EXEC, so a
 * reader never sees half of one; a create never replaces an existing id. A value that cannot be
 * decoded is skipped by the listing and is a {@link CorruptContextException} when read. Any failure
 * to reach Redis surfaces as {@link ContextStoreUnavailableException} (503 at the edge); generation
 * without contexts is unaffected.
 *
 * <p>It lives in {@code config} rather than {@code contexts} because it needs the Quarkus Redis
 * client, which layers below 5 may not import.
 */
public final class RedisContextStore implements ContextStore {
    /** Key prefix used when none is configured. */
    public static final String DEFAULT_PREFIX = "csm:contexts:";

    private static final Logger LOG = LoggerFactory.getLogger(RedisContextStore.class);

    private final RedisDataSource redis;
    private final String prefix;
    private final String indexKey;
    private final Consumer<CorruptContextException> onCorrupt;

    /**
     * @param redis a blocking data source (the injected one, or one built on a plain Vert.x client)
     * @param prefix namespace for every key, so several deployments can share one Redis
     */
    public RedisContextStore(RedisDataSource redis, String prefix) {
        this(redis, prefix, e -> {});
    }

    /**
     * As above; {@code onCorrupt} hears of every unreadable value met (for a metric); it is also
     * logged.
     */
    public RedisContextStore(
            RedisDataSource redis, String prefix, Consumer<CorruptContextException> onCorrupt) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.indexKey = prefix + "index";
        this.onCorrupt = Objects.requireNonNull(onCorrupt, "onCorrupt");
    }

    /**
     * {@code SET NX} of the value and {@code ZADD NX} of the index entry in one MULTI/EXEC: Redis
     * runs it as one step, so of concurrent creates of one id on any replicas exactly one sets the
     * value, and the others change nothing (the index entry of an existing id is kept).
     */
    @Override
    public void create(StoredContext context) {
        byte[] bytes = StoredContextCodec.encode(context);
        String id = context.id();
        double score = context.createdAt().toEpochMilli();
        TransactionResult result =
                call(
                        "create " + id,
                        () ->
                                redis.withTransaction(
                                        tx -> {
                                            tx.value(byte[].class).setnx(dataKey(id), bytes);
                                            tx.sortedSet(String.class)
                                                    .zadd(indexKey, new ZAddArgs().nx(), score, id);
                                        }));
        if (result.discarded() || result.hasErrors()) {
            throw new ContextStoreUnavailableException(
                    "Redis rejected the write of context " + id, null);
        }
        if (!Boolean.TRUE.equals(result.get(0))) {
            throw new ContextExistsException(id);
        }
    }

    @Override
    public Optional<StoredContext> get(String id) {
        byte[] bytes = call("get " + id, () -> redis.value(byte[].class).get(dataKey(id)));
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(StoredContextCodec.decode(bytes, id));
        } catch (CorruptContextException e) {
            corrupt(e);
            throw e;
        }
    }

    @Override
    public boolean exists(String id) {
        return call("exists " + id, () -> redis.key(String.class).exists(dataKey(id)));
    }

    @Override
    public List<StoredContext> list() {
        List<String> ids =
                call(
                        "list",
                        () ->
                                redis.sortedSet(String.class)
                                        .zrange(indexKey, 0, -1, new ZRangeArgs().rev()));
        if (ids.isEmpty()) {
            return List.of();
        }
        String[] keys = ids.stream().map(this::dataKey).toArray(String[]::new);
        Map<String, byte[]> values = call("list", () -> redis.value(byte[].class).mget(keys));
        List<StoredContext> out = new ArrayList<>(ids.size());
        for (int i = 0; i < keys.length; i++) {
            byte[] bytes = values.get(keys[i]);
            // An index entry whose value is gone (deleted between the two reads) is skipped.
            if (bytes == null) {
                continue;
            }
            try {
                out.add(StoredContextCodec.decode(bytes, ids.get(i)));
            } catch (CorruptContextException e) {
                corrupt(e); // one bad value must not hide every other context
            }
        }
        return out;
    }

    @Override
    public boolean delete(String id) {
        TransactionResult result =
                call(
                        "delete " + id,
                        () ->
                                redis.withTransaction(
                                        tx -> {
                                            tx.key(String.class).del(dataKey(id));
                                            tx.sortedSet(String.class).zrem(indexKey, id);
                                        }));
        if (result.discarded() || result.hasErrors()) {
            throw new ContextStoreUnavailableException(
                    "Redis rejected the delete of context " + id, null);
        }
        Object deleted = result.get(0);
        return deleted instanceof Number n && n.intValue() > 0;
    }

    private void corrupt(CorruptContextException e) {
        LOG.warn("unreadable context value {}: {}", dataKey(e.id()), e.getMessage());
        onCorrupt.accept(e);
    }

    private String dataKey(String id) {
        return prefix + "ctx:" + id;
    }

    /** Runs one Redis round trip; connection refused, timeouts and server errors become 503s. */
    private <T> T call(String what, Supplier<T> op) {
        try {
            return op.get();
        } catch (ContextStoreUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ContextStoreUnavailableException(
                    "context store (Redis) unavailable during " + what + ": " + describe(e), e);
        }
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
    }
}
