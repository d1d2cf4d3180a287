package dev.csmserver.contexts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileContextStoreTest {
    @TempDir Path dir;

    private static StoredContext ctx(String id, long createdMs) {
        int[][] codes = {{1, 2, 3}, {4, 5, 2047}};
        return new StoredContext(
                id, 1, "hello there", codes, 0.24, Instant.ofEpochMilli(createdMs));
    }

    @Test
    void createGetListDeleteRoundTrip() {
        FileContextStore store = new FileContextStore(dir);
        store.create(ctx("a", 1000));
        store.create(ctx("b", 2000));
        StoredContext a = store.get("a").orElseThrow();
        assertEquals("hello there", a.text());
        assertArrayEquals(new int[] {4, 5, 2047}, a.codes()[1]);
        assertEquals(List.of("b", "a"), store.list().stream().map(StoredContext::id).toList());
        assertTrue(store.exists("a"));
        assertTrue(store.delete("a"));
        assertFalse(store.delete("a"));
        assertTrue(store.get("a").isEmpty());
        assertFalse(store.exists("a"));
    }

    @Test
    void survivesARestartAndNeverReplacesAnId() throws IOException {
        new FileContextStore(dir).create(ctx("turn-1", 1000));
        FileContextStore reopened = new FileContextStore(dir);
        assertEquals(1, reopened.get("turn-1").orElseThrow().speaker());
        var e =
                assertThrows(
                        ContextExistsException.class,
                        () ->
                                reopened.create(
                                        new StoredContext(
                                                "turn-1",
                                                0,
                                                "replaced",
                                                new int[][] {{7}},
                                                0.08,
                                                Instant.now())));
        assertEquals("turn-1", e.id());
        assertEquals("hello there", reopened.get("turn-1").orElseThrow().text());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(
                    List.of("turn-1.ctx"),
                    files.map(p -> p.getFileName().toString()).toList(),
                    "no temp files left behind");
        }
    }

    @Test
    void ofConcurrentCreatesOfOneIdExactlyOneIsStored() throws Exception {
        FileContextStore store = new FileContextStore(dir);
        int writers = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                String text = "writer " + i;
                Callable<String> create =
                        () -> {
                            start.await();
                            try {
                                store.create(
                                        new StoredContext(
                                                "same",
                                                0,
                                                text,
                                                new int[][] {{1, 2}},
                                                0.16,
                                                Instant.now()));
                                return text;
                            } catch (ContextExistsException e) {
                                return null;
                            }
                        };
                results.add(pool.submit(create));
            }
            start.countDown();
            List<String> winners = new ArrayList<>();
            for (Future<String> f : results) {
                if (f.get() != null) {
                    winners.add(f.get());
                }
            }
            assertEquals(1, winners.size(), "winners: " + winners);
            assertEquals(
                    winners.get(0),
                    store.get("same").orElseThrow().text(),
                    "the winner's context is stored");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rejectsIdsThatCouldEscapeTheDirectory() {
        FileContextStore store = new FileContextStore(dir);
        assertTrue(store.get("../etc/passwd").isEmpty());
        assertFalse(store.exists("../etc/passwd"));
        assertFalse(store.delete("../x"));
        assertThrows(IllegalArgumentException.class, () -> store.create(ctx("../x", 1)));
    }

    @Test
    void unreadableFilesAreSkippedInTheListingAndCorruptWhenRead() throws IOException {
        List<String> reported = new ArrayList<>();
        FileContextStore store = new FileContextStore(dir, e -> reported.add(e.id()));
        store.create(ctx("good", 1));
        Map<String, byte[]> bad = CorruptEntries.forIdsPrefixed("bad-");
        for (var e : bad.entrySet()) {
            Files.write(dir.resolve(e.getKey() + ".ctx"), e.getValue());
        }
        Files.write(dir.resolve("not an id.ctx"), new byte[] {1, 2, 3});

        assertEquals(List.of("good"), store.list().stream().map(StoredContext::id).toList());
        assertEquals(
                bad.size() + 1, reported.size(), "each skipped entry is reported: " + reported);
        for (String id : bad.keySet()) {
            var e = assertThrows(CorruptContextException.class, () -> store.get(id), id);
            assertEquals(id, e.id());
            assertTrue(store.exists(id), id + " still takes its id");
            assertThrows(ContextExistsException.class, () -> store.create(ctx(id, 2)), id);
            assertTrue(store.delete(id), id + " can be deleted");
            store.create(ctx(id, 3));
            assertEquals(id, store.get(id).orElseThrow().id());
        }
    }
}
