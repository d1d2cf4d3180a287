package dev.csmserver.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.contexts.ContextExistsException;
import dev.csmserver.contexts.ContextStoreUnavailableException;
import dev.csmserver.contexts.CorruptContextException;
import dev.csmserver.contexts.CorruptEntries;
import dev.csmserver.contexts.StoredContext;
import io.quarkus.redis.datasource.RedisDataSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisContextStore} against a real redis-server: two stores on one Redis (two replicas) see
 * each other's contexts, ids are create-once across replicas, a bad value never hides the others,
 * and a Redis that is down or was never there is a {@link ContextStoreUnavailableException}, not a
 * hang or a raw client error.
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
        return new StoredContext(
                id, 1, "Hello from " + id, codes, 0.24, Instant.ofEpochMilli(createdMillis));
    }

    @Test
    void twoReplicasSeeEachOthersContexts() {
        String prefix = prefix();
        RedisContextStore podA = new RedisContextStore(server.newDataSource(), prefix);
        RedisContextStore podB = new RedisContextStore(server.newDataSource(), prefix);

        podA.create(context("ctx_a", 1_000));
        podB.create(context("ctx_b", 2_000));

        StoredContext seenByB = podB.get("ctx_a").orElseThrow();
        assertEquals("Hello from ctx_a", seenByB.text());
        assertEquals(Instant.ofEpochMilli(1_000), seenByB.createdAt());
        assertArrayEquals(new int[] {4, 5, 2050}, seenByB.codes()[1]);
        assertEquals(
                List.of("ctx_b", "ctx_a"),
                podA.list().stream().map(StoredContext::id).toList(),
                "newest first, from both replicas");

        assertTrue(podA.delete("ctx_b"));
        assertTrue(podB.get("ctx_b").isEmpty());
        assertFalse(podB.delete("ctx_b"), "second delete finds nothing");
        assertEquals(List.of("ctx_a"), podB.list().stream().map(StoredContext::id).toList());
    }

    @Test
    void createNeverReplacesAndPrefixesIsolate() {
        String prefix = prefix();
        RedisContextStore store = new RedisContextStore(server.newDataSource(), prefix);
        RedisContextStore otherDeployment = new RedisContextStore(server.newDataSource(), prefix());
        store.create(context("same", 10));
        StoredContext second =
                new StoredContext(
                        "same", 7, "new text", new int[][] {{9}}, 0.08, Instant.ofEpochMilli(20));
        assertThrows(ContextExistsException.class, () -> store.create(second));

        StoredContext back = store.get("same").orElseThrow();
        assertEquals(1, back.speaker());
        assertEquals("Hello from same", back.text());
        assertEquals(List.of("same"), store.list().stream().map(StoredContext::id).toList());
        assertEquals(
                Instant.ofEpochMilli(10),
                store.list().get(0).createdAt(),
                "the index keeps the first");
        assertTrue(store.exists("same"));
        assertTrue(otherDeployment.list().isEmpty());
        assertTrue(otherDeployment.get("same").isEmpty());
        assertFalse(otherDeployment.exists("same"));
    }

    @Test
    void ofConcurrentCreatesOfOneIdOnTwoReplicasExactlyOneIsStored() throws Exception {
        String prefix = prefix();
        List<RedisContextStore> replicas =
                List.of(
                        new RedisContextStore(server.newDataSource(), prefix),
                        new RedisContextStore(server.newDataSource(), prefix));
        // One transaction on this thread first: outside Quarkus the client sets up SmallRye's
        // context propagation lazily, and two threads doing that at once collide.
        replicas.get(0).create(context("warm-up", 1));
        replicas.get(1).delete("warm-up");
        int writers = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                RedisContextStore store = replicas.get(i % 2);
                String text = "writer " + i;
                results.add(
                        pool.submit(
                                () -> {
                                    start.await();
                                    try {
                                        store.create(
                                                new StoredContext(
                                                        "same",
                                                        0,
                                                        text,
                                                        new int[][] {{1}},
                                                        0.08,
                                                        Instant.now()));
                                        return text;
                                    } catch (ContextExistsException e) {
                                        return null;
                                    }
                                }));
            }
            start.countDown();
            List<String> winners = new ArrayList<>();
            for (Future<String> f : results) {
                if (f.get() != null) {
                    winners.add(f.get());
                }
            }
            assertEquals(1, winners.size(), "winners: " + winners);
            assertEquals(winners.get(0), replicas.get(1).get("same").orElseThrow().text());
            assertEquals(1, replicas.get(0).list().size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badValuesAreSkippedInTheListingAndCorruptWhenRead() {
        String prefix = prefix();
        List<String> reported = new ArrayList<>();
        RedisDataSource raw = server.newDataSource();
        RedisContextStore store =
                new RedisContextStore(server.newDataSource(), prefix, e -> reported.add(e.id()));
        store.create(context("good", 1));
        Map<String, byte[]> bad = CorruptEntries.forIdsPrefixed("bad-");
        // Written as another writer (an older version, a hand edit) would: value and index entry.
        for (var e : bad.entrySet()) {
            raw.value(byte[].class).set(prefix + "ctx:" + e.getKey(), e.getValue());
            raw.sortedSet(String.class).zadd(prefix + "index", 2, e.getKey());
        }

        assertEquals(List.of("good"), store.list().stream().map(StoredContext::id).toList());
        assertEquals(bad.size(), reported.size(), "each skipped value is reported: " + reported);
        for (String id : bad.keySet()) {
            var e = assertThrows(CorruptContextException.class, () -> store.get(id), id);
            assertEquals(id, e.id());
            assertTrue(store.exists(id));
            assertThrows(ContextExistsException.class, () -> store.create(context(id, 3)), id);
            assertTrue(store.delete(id), id + " can be deleted");
            store.create(context(id, 3));
            assertEquals(id, store.get(id).orElseThrow().id());
        }
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
            store.create(context("before", 1));
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
        assertThrows(ContextStoreUnavailableException.class, () -> store.exists("y"));
        assertThrows(ContextStoreUnavailableException.class, () -> store.create(context("y", 1)));
        assertThrows(ContextStoreUnavailableException.class, () -> store.delete("y"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 30_000, "failing fast, not hanging: " + millis + " ms");
    }
}
