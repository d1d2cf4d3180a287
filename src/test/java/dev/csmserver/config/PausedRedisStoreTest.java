package dev.csmserver.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.contexts.ContextStoreUnavailableException;
import dev.csmserver.contexts.StoredContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The Redis store against a redis-server that hangs (frozen with SIGSTOP, a private server): calls
 * fail as unavailable instead of hanging, and once Redis answers again the store works at once (a
 * create that timed out inside MULTI/EXEC used to leave its pooled connection in MULTI, so every
 * later create failed with "MULTI calls can not be nested"); a write Redis runs past its deadline
 * is not applied.
 */
class PausedRedisStoreTest {
    private static StoredContext context(String id) {
        int[][] codes = {{1, 2, 3}, {4, 5, 6}};
        return new StoredContext(id, 1, "Hello " + id, codes, 0.24, Instant.ofEpochMilli(1000));
    }

    @Test
    void aStoreThatHungWorksAgainAsSoonAsRedisAnswers() throws Exception {
        try (RedisServer server = RedisServer.start()) {
            RedisContextStore store =
                    new RedisContextStore(
                            server.newDataSource(), "p:", e -> {}, Duration.ofSeconds(2));
            store.create(context("before"));
            server.pause();
            try {
                assertThrows(
                        ContextStoreUnavailableException.class,
                        () -> store.create(context("hung")));
                assertThrows(ContextStoreUnavailableException.class, () -> store.delete("before"));
            } finally {
                server.resume();
            }
            for (int i = 0; i < 3; i++) {
                store.create(context("after-" + i));
            }
            assertFalse(store.exists("hung"), "the create that hung was not applied");
            assertTrue(store.delete("after-0"));
            assertEquals(
                    Set.of("before", "after-1", "after-2"),
                    store.list().stream().map(StoredContext::id).collect(Collectors.toSet()),
                    "the delete that hung was not applied either");
        }
    }

    @Test
    void aWriteThatReachesRedisPastItsDeadlineIsNotApplied() throws Exception {
        try (RedisServer server = RedisServer.start()) {
            RedisContextStore late =
                    new RedisContextStore(
                            server.newDataSource(),
                            "late:",
                            e -> {},
                            Duration.ofSeconds(2),
                            Duration.ofSeconds(-5));
            ContextStoreUnavailableException e =
                    assertThrows(
                            ContextStoreUnavailableException.class,
                            () -> late.create(context("late")));
            assertTrue(e.getMessage().contains("too late"), e.getMessage());
            assertFalse(late.exists("late"));
            assertTrue(late.list().isEmpty());
        }
    }
}
