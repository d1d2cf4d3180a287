package dev.csmserver.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.contexts.ContextStoreUnavailableException;
import dev.csmserver.contexts.StoredContext;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisContextStore} against a real redis-server: two stores on one Redis (two replicas)
 * see each other's contexts, and a Redis that is down or was never there is a
 * {@link ContextStoreUnavailableException}, not a hang or a raw client error.
 */
class RedisContextStoreTest {
    private static RedisServer server;

    @BeforeAll
    static void startRedis() throws Exception {
        server = RedisServer.sharedOrStart();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        server.close();
    }

    /** A fresh key prefix per test, so tests share one server without seeing each other. */
    private static String prefix() {
        return "csm-test:" + UUID.randomUUID() + ":";
    }

    private static StoredContext context(String id, long createdMillis) {
        int[][] codes = {{1, 2047, 3}, {4, 5, 2050 & 0xFFFF}};
        return new StoredContext(id, 1, "Hello from " + id, codes, 0.24, Instant.ofEpochMilli(createdMillis));
    }

    @Test
    void twoReplicasSeeEachOthersContexts() {
        String prefix = prefix();
        RedisContextStore podA = new RedisContextStore(server.newDataSource(), prefix);
        RedisContextStore podB = new RedisContextStore(server.newDataSource(), prefix);

        podA.put(context("ctx_a", 1_000));
        podB.put(context("ctx_b", 2_000));

        StoredContext seenByB = podB.get("ctx_a").orElseThrow();
        assertEquals("Hello from ctx_a", seenByB.text());
        assertEquals(Instant.ofEpochMilli(1_000), seenByB.createdAt());
        assertArrayEquals(new int[] {4, 5, 2050}, seenByB.codes()[1]);
        assertEquals(List.of("ctx_b", "ctx_a"), podA.list().stream().map(StoredContext::id).toList(),
                "newest first, from both replicas");

        assertTrue(podA.delete("ctx_b"));
        assertTrue(podB.get("ctx_b").isEmpty());
        assertFalse(podB.delete("ctx_b"), "second delete finds nothing");
        assertEquals(List.of("ctx_a"), podB.list().stream().map(StoredContext::id).toList());
    }

    @Test
    void putReplacesAndPrefixesIsolate() {
        String prefix = prefix();
        RedisContextStore store = new RedisContextStore(server.newDataSource(), prefix);
        RedisContextStore otherDeployment = new RedisContextStore(server.newDataSource(), prefix());
        store.put(context("same", 10));
        StoredContext replaced = new StoredContext("same", 7, "new text", new int[][] {{9}}, 0.08,
                Instant.ofEpochMilli(20));
        store.put(replaced);

        StoredContext back = store.get("same").orElseThrow();
        assertEquals(7, back.speaker());
        assertEquals("new text", back.text());
        assertEquals(1, store.list().size());
        assertTrue(otherDeployment.list().isEmpty());
        assertTrue(otherDeployment.get("same").isEmpty());
    }

    @Test
    void redisNeverReachableIsUnavailable() throws Exception {
        RedisContextStore store = new RedisContextStore(server.closedPortDataSource(), prefix());
        assertUnavailable(store);
    }

    @Test
    void redisGoingDownIsUnavailable() throws Exception {
        try (RedisServer own = RedisServer.start()) {
            RedisContextStore store = new RedisContextStore(own.newDataSource(), prefix());
            store.put(context("before", 1));
            assertTrue(store.get("before").isPresent());
            own.stop();
            assertUnavailable(store);
        }
    }

    private static void assertUnavailable(RedisContextStore store) {
        long start = System.nanoTime();
        var e = assertThrows(ContextStoreUnavailableException.class, () -> store.get("x"));
        assertTrue(e.getMessage().contains("Redis"), e.getMessage());
        assertThrows(ContextStoreUnavailableException.class, store::list);
        assertThrows(ContextStoreUnavailableException.class, () -> store.put(context("y", 1)));
        assertThrows(ContextStoreUnavailableException.class, () -> store.delete("y"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 30_000, "failing fast, not hanging: " + millis + " ms");
    }
}
