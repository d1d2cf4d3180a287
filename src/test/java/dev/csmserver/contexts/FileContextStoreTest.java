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
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileContextStoreTest {
    @TempDir Path dir;

    private static StoredContext ctx(String id, long createdMs) {
        int[][] codes = {{1, 2, 3}, {4, 5, 2047}};
        return new StoredContext(id, 1, "hello there", codes, 0.24, Instant.ofEpochMilli(createdMs));
    }

    @Test
    void putGetListDeleteRoundTrip() {
        FileContextStore store = new FileContextStore(dir);
        store.put(ctx("a", 1000));
        store.put(ctx("b", 2000));
        StoredContext a = store.get("a").orElseThrow();
        assertEquals("hello there", a.text());
        assertArrayEquals(new int[] {4, 5, 2047}, a.codes()[1]);
        assertEquals(List.of("b", "a"), store.list().stream().map(StoredContext::id).toList());
        assertTrue(store.delete("a"));
        assertFalse(store.delete("a"));
        assertTrue(store.get("a").isEmpty());
    }

    @Test
    void survivesARestartAndReplacesAtomically() throws IOException {
        new FileContextStore(dir).put(ctx("turn-1", 1000));
        FileContextStore reopened = new FileContextStore(dir);
        assertEquals(1, reopened.get("turn-1").orElseThrow().speaker());
        reopened.put(new StoredContext("turn-1", 0, "replaced", new int[][] {{7}}, 0.08, Instant.now()));
        assertEquals("replaced", reopened.get("turn-1").orElseThrow().text());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("turn-1.ctx"), files.map(p -> p.getFileName().toString()).toList(),
                    "no temp files left behind");
        }
    }

    @Test
    void rejectsIdsThatCouldEscapeTheDirectory() {
        FileContextStore store = new FileContextStore(dir);
        assertTrue(store.get("../etc/passwd").isEmpty());
        assertFalse(store.delete("../x"));
        assertThrows(IllegalArgumentException.class, () -> store.put(ctx("../x", 1)));
    }

    @Test
    void skipsCorruptFilesInTheListing() throws IOException {
        FileContextStore store = new FileContextStore(dir);
        store.put(ctx("good", 1));
        Files.write(dir.resolve("bad.ctx"), new byte[] {1, 2, 3});
        assertEquals(List.of("good"), store.list().stream().map(StoredContext::id).toList());
    }
}
