package dev.csmserver.audio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Test-side WAV encoder for every format the reader claims to support (independent of WavWriter).
 */
final class WavBytes {
    private WavBytes() {}

    /**
     * Encodes interleaved frames {@code samples[frame][channel]} in [-1, 1).
     *
     * @param encoding 1 = PCM, 3 = float
     * @param extensible write a WAVE_FORMAT_EXTENSIBLE fmt chunk
     * @param dataSize the value written in the data size field, or -2 for the real size
     */
    static byte[] encode(
            double[][] samples,
            int rate,
            int encoding,
            int bits,
            boolean extensible,
            long dataSize) {
        int channels = samples[0].length;
        int bps = bits / 8;
        int body = samples.length * channels * bps;
        int fmtSize = extensible ? 40 : 16;
        ByteBuffer b =
                ByteBuffer.allocate(12 + 8 + fmtSize + 8 + body).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes())
                .putInt(dataSize == -2 ? 4 + 8 + fmtSize + 8 + body : (int) dataSize);
        b.put("WAVE".getBytes()).put("fmt ".getBytes()).putInt(fmtSize);
        b.putShort((short) (extensible ? 0xFFFE : encoding))
                .putShort((short) channels)
                .putInt(rate);
        b.putInt(rate * channels * bps).putShort((short) (channels * bps)).putShort((short) bits);
        if (extensible) {
            b.putShort((short) 22).putShort((short) bits).putInt(channels == 1 ? 4 : 3);
            b.putShort((short) encoding)
                    .put(
                            new byte[] {
                                0,
                                0,
                                0,
                                0,
                                0x10,
                                0,
                                (byte) 0x80,
                                0,
                                0,
                                (byte) 0xAA,
                                0,
                                0x38,
                                (byte) 0x9B,
                                0x71
                            });
        }
        b.put("data".getBytes()).putInt(dataSize == -2 ? body : (int) dataSize);
        for (double[] frame : samples) {
            for (double s : frame) {
                put(b, s, encoding, bits);
            }
        }
        return b.array();
    }

    private static void put(ByteBuffer b, double s, int encoding, int bits) {
        if (encoding == 3) {
            if (bits == 32) {
                b.putFloat((float) s);
            } else {
                b.putDouble(s);
            }
            return;
        }
        switch (bits) {
            case 8 -> b.put((byte) (Math.round(s * 128) + 128));
            case 16 -> b.putShort((short) Math.round(s * 32768));
            case 24 -> {
                int v = (int) Math.round(s * 8388608);
                b.put((byte) v).put((byte) (v >> 8)).put((byte) (v >> 16));
            }
            default -> b.putInt((int) Math.round(s * 2147483648.0));
        }
    }
}
