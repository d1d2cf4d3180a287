package dev.csmserver.contexts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class StoredContextCodecTest {
    @Test
    void roundTripsEveryField() {
        int[][] codes = {{0, 2047, 5}, {65535 & 2050, 1, 2}};
        StoredContext c = new StoredContext("ctx_1", 3, "Hé, ça va? \uD83D\uDE00", codes, 0.24,
                Instant.ofEpochMilli(1_700_000_000_123L));
        StoredContext back = StoredContextCodec.decode(StoredContextCodec.encode(c));
        assertEquals(c.id(), back.id());
        assertEquals(c.speaker(), back.speaker());
        assertEquals(c.text(), back.text());
        assertEquals(c.durationSeconds(), back.durationSeconds());
        assertEquals(c.createdAt(), back.createdAt());
        assertArrayEquals(codes[0], back.codes()[0]);
        assertArrayEquals(codes[1], back.codes()[1]);
    }

    @Test
    void rejectsGarbage() {
        assertThrows(IllegalArgumentException.class, () -> StoredContextCodec.decode(new byte[] {1, 2, 3}));
        byte[] ok = StoredContextCodec.encode(new StoredContext("a", 0, "t", new int[][] {{1}}, 0.08, Instant.EPOCH));
        byte[] cut = java.util.Arrays.copyOf(ok, ok.length - 1);
        assertThrows(IllegalArgumentException.class, () -> StoredContextCodec.decode(cut));
    }
}
