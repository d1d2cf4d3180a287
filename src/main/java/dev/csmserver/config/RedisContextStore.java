package dev.csmserver.config;

import dev.csmserver.contexts.ContextExistsException;
import dev.csmserver.contexts.ContextStore;
import dev.csmserver.contexts.ContextStoreUnavailableException;
import dev.csmserver.contexts.CorruptContextException;
import dev.csmserver.contexts.StoredContext;
import dev.csmserver.contexts.StoredContextCodec;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.sortedset.ZRangeArgs;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.time.Duration;
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
 * = creation time in ms) orders the listing. Creates and deletes touch both in one Lua script, so a
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

    /** Quarkus' default {@code quarkus.redis.timeout}. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final RedisDataSource redis;
    private final Duration timeout;
    private final long writeWindowMs;
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
        this(redis, prefix, onCorrupt, DEFAULT_TIMEOUT);
    }

    /**
     * As above, with the client's {@code quarkus.redis.timeout}, which bounds every call here too.
     */
    public RedisContextStore(
            RedisDataSource redis,
            String prefix,
            Consumer<CorruptContextException> onCorrupt,
            Duration timeout) {
        this(redis, prefix, onCorrupt, timeout, timeout.dividedBy(2));
    }

    /**
     * As above; a create must reach Redis within {@code writeWindow} of Redis' clock reading taken
     * just before it (tests make it negative to see a late write refused).
     */
    RedisContextStore(
            RedisDataSource redis,
            String prefix,
            Consumer<CorruptContextException> onCorrupt,
            Duration timeout,
            Duration writeWindow) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.writeWindowMs = writeWindow.toMillis();
        this.redis = Objects.requireNonNull(redis, "redis");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.indexKey = prefix + "index";
        this.onCorrupt = Objects.requireNonNull(onCorrupt, "onCorrupt");
    }

    /**
     * The start of every write script: a write that Redis runs after {@code ARGV[1]} (ms on its own
     * clock) is refused with -1, so a write that reached a Redis that hung is not applied when it
     * wakes up long after the caller gave up and reported it as failed.
     */
    private static final String LATE_CHECK =
            """
            local t = redis.call('TIME')
            if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > tonumber(ARGV[1]) then
              return -1
            end
            """;

    /**
     * One Lua script, so Redis runs it as one step: {@code SET NX} of the value and, only if it was
     * set, {@code ZADD NX} of the index entry. Of concurrent creates of one id on any replicas
     * exactly one sets the value. A script is one command with one reply: a call that times out
     * leaves no half-done MULTI on a pooled connection (which made every later create fail with
     * "MULTI calls can not be nested").
     */
    private static final String CREATE =
            LATE_CHECK
                    + """
                    if not redis.call('SET', KEYS[1], ARGV[2], 'NX') then
                      return 0
                    end
                    redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[4])
                    return 1
                    """;

    /** Deletes the value and its index entry in one step; 1 if the value existed. */
    private static final String DELETE =
            LATE_CHECK
                    + """
                    local n = redis.call('DEL', KEYS[1])
                    redis.call('ZREM', KEYS[2], ARGV[2])
                    return n
                    """;

    /** Creates {@code context} unless its id exists ({@link ContextExistsException}). */
    @Override
    public void create(StoredContext context) {
        String id = context.id();
        long outcome =
                write(
                        "create " + id,
                        CREATE,
                        id,
                        StoredContextCodec.encode(context),
                        context.createdAt().toEpochMilli());
        if (outcome == 0) {
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
        return write("delete " + id, DELETE, id) > 0;
    }

    /**
     * Runs write {@code script} on the keys of {@code id} with {@code args} after the deadline:
     * Redis' clock now (one call) plus the write window, half the client timeout, so that a write
     * Redis runs at all is one whose reply the caller still waits for. Returns the script's integer
     * reply; a refused late write is a {@link ContextStoreUnavailableException}.
     */
    private long write(String what, String script, String id, Object... args) {
        Response time = call(what, () -> redis.execute(Command.TIME));
        long redisNowMs = time.get(0).toLong() * 1000 + time.get(1).toLong() / 1000;
        Request r =
                Request.cmd(Command.EVAL)
                        .arg(script)
                        .arg(2)
                        .arg(dataKey(id))
                        .arg(indexKey)
                        .arg(redisNowMs + writeWindowMs);
        for (Object a : args) {
            if (a instanceof byte[] bytes) {
                r.arg(bytes);
            } else if (a instanceof Long n) {
                r.arg(n);
            } else {
                r.arg(a.toString());
            }
        }
        r.arg(id);
        long outcome =
                call(
                        what,
                        () ->
                                redis.getReactive()
                                        .getRedis()
                                        .send(r)
                                        .await()
                                        .atMost(timeout)
                                        .toLong());
        if (outcome < 0) {
            throw new ContextStoreUnavailableException(
                    "Redis ran the " + what + " too late; it was not applied", null);
        }
        return outcome;
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
