package dev.csmserver.audio.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Structural checks of an Ogg Opus file, independent of the writer's code paths. */
final class OggStructure {
    private OggStructure() {}

    /**
     * Checks page layout, CRCs, flags, sequence numbers, OpusHead/OpusTags and the final granule.
     */
    static void check(byte[] ogg, int inputSamples24k) {
        ByteBuffer b = ByteBuffer.wrap(ogg).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 0;
        int page = 0;
        long lastGranule = -1;
        int preSkip = -1;
        while (pos < ogg.length) {
            assertEquals(
                    "OggS",
                    new String(ogg, pos, 4, StandardCharsets.US_ASCII),
                    "capture at " + pos);
            assertEquals(0, ogg[pos + 4], "version");
            int flags = ogg[pos + 5];
            long granule = b.getLong(pos + 6);
            assertEquals(page, b.getInt(pos + 18), "page sequence");
            int crc = b.getInt(pos + 22);
            int segments = ogg[pos + 26] & 0xFF;
            int body = 0;
            for (int s = 0; s < segments; s++) {
                body += ogg[pos + 27 + s] & 0xFF;
            }
            int end = pos + 27 + segments + body;
            byte[] copy = Arrays.copyOfRange(ogg, pos, end);
            Arrays.fill(copy, 22, 26, (byte) 0);
            assertEquals(referenceCrc(copy), crc, "CRC of page " + page);
            assertEquals(page == 0 ? 0x02 : 0, flags & 0x02, "BOS only on the first page");
            assertEquals(end == ogg.length ? 0x04 : 0, flags & 0x04, "EOS only on the last page");
            int data = pos + 27 + segments;
            if (page == 0) {
                assertEquals("OpusHead", new String(ogg, data, 8, StandardCharsets.US_ASCII));
                assertEquals(1, ogg[data + 8]);
                assertEquals(1, ogg[data + 9]);
                preSkip = b.getShort(data + 10) & 0xFFFF;
                assertEquals(24_000, b.getInt(data + 12));
                assertEquals(0, granule);
            } else if (page == 1) {
                assertEquals("OpusTags", new String(ogg, data, 8, StandardCharsets.US_ASCII));
                assertEquals(0, granule);
            } else {
                assertTrue(granule >= lastGranule, "granules never decrease");
            }
            lastGranule = granule;
            pos = end;
            page++;
        }
        assertTrue(page >= 3, "head, tags and audio pages");
        assertTrue(preSkip > 0, "pre-skip");
        assertEquals(preSkip + 2L * inputSamples24k, lastGranule, "final granule");
    }

    /** Bitwise Ogg CRC-32 (poly 0x04C11DB7, init 0, unreflected). */
    static int referenceCrc(byte[] data) {
        int crc = 0;
        for (byte value : data) {
            crc ^= (value & 0xFF) << 24;
            for (int i = 0; i < 8; i++) {
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
            }
        }
        return crc;
    }
}
