package dev.csmserver.audio.encode;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * Writes Ogg pages (RFC 3533) for one logical stream: lacing, sequence numbers, flags and the page
 * CRC (polynomial 0x04C11DB7, initial value 0, no reflection, computed with the CRC field zeroed).
 */
final class OggPageWriter {
    static final int FLAG_CONTINUED = 0x01;
    static final int FLAG_BOS = 0x02;
    static final int FLAG_EOS = 0x04;
    private static final int[] CRC_TABLE = crcTable();

    private final int serial;
    private int sequence;

    OggPageWriter(int serial) {
        this.serial = serial;
    }

    /** Number of lacing values {@code packets} need on one page. */
    static int segmentsFor(List<byte[]> packets) {
        int segments = 0;
        for (byte[] p : packets) {
            segments += p.length / 255 + 1;
        }
        return segments;
    }

    /** One page holding whole packets (at most 255 lacing values). */
    byte[] page(List<byte[]> packets, long granulePosition, int flags) {
        int segments = segmentsFor(packets);
        if (segments > 255) {
            throw new IllegalArgumentException("too many segments for one Ogg page: " + segments);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'O', 'g', 'g', 'S', 0, (byte) flags});
        writeLe(out, granulePosition, 8);
        writeLe(out, serial, 4);
        writeLe(out, sequence++, 4);
        writeLe(out, 0, 4);
        out.write(segments);
        for (byte[] p : packets) {
            for (int left = p.length; ; left -= 255) {
                out.write(Math.min(left, 255));
                if (left < 255) {
                    break;
                }
            }
        }
        for (byte[] p : packets) {
            out.writeBytes(p);
        }
        byte[] page = out.toByteArray();
        int crc = crc(page);
        for (int i = 0; i < 4; i++) {
            page[22 + i] = (byte) (crc >>> (8 * i));
        }
        return page;
    }

    /** The Ogg CRC-32 of {@code data} (whose CRC field must be zero). */
    static int crc(byte[] data) {
        int crc = 0;
        for (byte b : data) {
            crc = (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xFF];
        }
        return crc;
    }

    static void writeLe(ByteArrayOutputStream out, long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (value >>> (8 * i)) & 0xFF);
        }
    }

    private static int[] crcTable() {
        int[] table = new int[256];
        for (int i = 0; i < 256; i++) {
            int r = i << 24;
            for (int j = 0; j < 8; j++) {
                r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04C11DB7 : r << 1;
            }
            table[i] = r;
        }
        return table;
    }
}
