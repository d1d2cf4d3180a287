package dev.csmserver.contexts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StoredContextCodecTest {
    @Test
    void roundTripsEveryField() {
        int[][] codes = {{0, 2047, 5}, {65535 & 2050, 1, 2}};
        StoredContext c =
                new StoredContext(
                        "ctx_1",
                        3,
                        "Hé, ça va? \uD83D\uDE00",
                        codes,
                        0.24,
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
    void aHeaderClaimingHugeSizesIsRefusedBeforeAnythingIsAllocated() {
        byte[] bogus = CorruptEntries.bogusHeader("bogus");
        assertEquals(47, bogus.length);
        var e =
                assertThrows(
                        IllegalArgumentException.class, () -> StoredContextCodec.decode(bogus));
        assertTrue(e.getMessage().contains("2147483647 x 0"), e.getMessage());
        byte[] ok =
                StoredContextCodec.encode(
                        new StoredContext("a", 0, "t", new int[][] {{1, 2}}, 0.16, Instant.EPOCH));
        for (int[] kt :
                new int[][] {
                    {Integer.MAX_VALUE, 1}, {1, Integer.MAX_VALUE}, {-1, 2}, {1, 0}, {257, 1}
                }) {
            byte[] forged = ok.clone();
            ByteBuffer.wrap(forged)
                    .putInt(forged.length - 12, kt[0])
                    .putInt(forged.length - 8, kt[1]);
            assertThrows(
                    IllegalArgumentException.class,
                    () -> StoredContextCodec.decode(forged),
                    kt[0] + " x " + kt[1]);
        }
        byte[] trailing = java.util.Arrays.copyOf(ok, ok.length + 2);
        assertThrows(IllegalArgumentException.class, () -> StoredContextCodec.decode(trailing));
    }

    @Test
    void anEntryHoldingAnotherIdIsCorruptForTheIdItIsStoredUnder() {
        byte[] b =
                StoredContextCodec.encode(
                        new StoredContext("b", 0, "t", new int[][] {{1}}, 0.08, Instant.EPOCH));
        assertEquals("b", StoredContextCodec.decode(b, "b").id());
        var e =
                assertThrows(
                        CorruptContextException.class, () -> StoredContextCodec.decode(b, "a"));
        assertEquals("a", e.id());
        assertThrows(
                CorruptContextException.class,
                () -> StoredContextCodec.decode(new byte[] {1, 2}, "a"));
    }

    @Test
    void rejectsGarbage() {
        assertThrows(
                IllegalArgumentException.class,
                () -> StoredContextCodec.decode(new byte[] {1, 2, 3}));
        byte[] ok =
                StoredContextCodec.encode(
                        new StoredContext("a", 0, "t", new int[][] {{1}}, 0.08, Instant.EPOCH));
        byte[] cut = java.util.Arrays.copyOf(ok, ok.length - 1);
        assertThrows(IllegalArgumentException.class, () -> StoredContextCodec.decode(cut));
    }
}
