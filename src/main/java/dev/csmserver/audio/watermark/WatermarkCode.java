package dev.csmserver.audio.watermark;

/**
 * The layout of the mark derived from a key's secret: one period of {@link #PERIOD} chips at 24
 * kHz, each chip with a keyed sign and a keyed role (synchronisation, or one of the {@link
 * #CODED_BITS} payload bits, interleaved over the whole period so a pause hurts every bit alike).
 * The embedder and the detector both build it from the same secret.
 */
final class WatermarkCode {
    static final int SAMPLE_RATE_HZ = 24_000;

    /** Chips per period (0.68 s): a power of two so that lag search is one FFT. */
    static final int PERIOD = 16_384;

    /** 32 payload bits followed by their CRC-16. */
    static final int PAYLOAD_BITS = 32;

    static final int CODED_BITS = PAYLOAD_BITS + 16;

    /** Chips per coded bit; the remaining quarter of the period (4 096 chips) synchronises. */
    static final int CHIPS_PER_BIT = 256;

    /** Pass band of the carrier: above most voiced energy, below the 8 kHz Nyquist of 16 kHz. */
    static final double BAND_LOW_HZ = 600;

    static final double BAND_HIGH_HZ = 7_000;

    /** Width of the raised-cosine band edges. */
    static final double EDGE_HZ = 300;

    static final int SYNC = -1;

    /** Keyed sign of each chip, +-1. */
    final byte[] sign = new byte[PERIOD];

    /** Role of each chip: {@link #SYNC} or the coded bit index. */
    final short[] role = new short[PERIOD];

    WatermarkCode(WatermarkKey key) {
        KeyStream signs = key.stream("chip-signs");
        long word = 0;
        for (int k = 0; k < PERIOD; k++) {
            if ((k & 63) == 0) {
                word = signs.nextLong();
            }
            sign[k] = (byte) (((word >>> (k & 63)) & 1) == 0 ? -1 : 1);
        }
        int[] order = new int[PERIOD];
        for (int k = 0; k < PERIOD; k++) {
            order[k] = k;
        }
        KeyStream shuffle = key.stream("chip-roles");
        for (int k = PERIOD - 1; k > 0; k--) {
            int j = shuffle.nextInt(k + 1);
            int t = order[k];
            order[k] = order[j];
            order[j] = t;
        }
        for (int i = 0; i < PERIOD; i++) {
            int bit = i / CHIPS_PER_BIT;
            role[order[i]] = (short) (bit < CODED_BITS ? bit : SYNC);
        }
    }

    /** Gain of the carrier's band filter at {@code hz} (zero phase): raised-cosine edges. */
    static double bandGain(double hz) {
        double lowEdge = edge(hz - (BAND_LOW_HZ - EDGE_HZ / 2));
        double highEdge = edge((BAND_HIGH_HZ + EDGE_HZ / 2) - hz);
        return lowEdge * highEdge;
    }

    private static double edge(double aboveStartHz) {
        if (aboveStartHz <= 0) {
            return 0;
        }
        if (aboveStartHz >= EDGE_HZ) {
            return 1;
        }
        return 0.5 - 0.5 * Math.cos(Math.PI * aboveStartHz / EDGE_HZ);
    }

    /** The 48 coded bits of a payload: its 32 bits then their CRC-16/CCITT, MSB first. */
    static boolean[] codedBits(int payloadBits) {
        boolean[] bits = new boolean[CODED_BITS];
        for (int i = 0; i < PAYLOAD_BITS; i++) {
            bits[i] = ((payloadBits >>> (PAYLOAD_BITS - 1 - i)) & 1) == 1;
        }
        int crc = crc16(payloadBits);
        for (int i = 0; i < 16; i++) {
            bits[PAYLOAD_BITS + i] = ((crc >>> (15 - i)) & 1) == 1;
        }
        return bits;
    }

    /** CRC-16/CCITT-FALSE of the payload word's four bytes, big endian. */
    static int crc16(int payloadBits) {
        int crc = 0xFFFF;
        for (int b = 3; b >= 0; b--) {
            crc ^= ((payloadBits >>> (8 * b)) & 0xFF) << 8;
            for (int i = 0; i < 8; i++) {
                crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF;
            }
        }
        return crc;
    }

    /**
     * One period of the band-limited carrier for a payload, unit RMS: the chip sequence (sync chips
     * keep their sign, payload chips are flipped by their bit) filtered circularly by the band
     * filter, so the carrier repeats seamlessly every {@link #PERIOD} samples.
     */
    float[] carrier(WatermarkPayload payload) {
        boolean[] bits = codedBits(payload.bits());
        double[] re = new double[PERIOD];
        double[] im = new double[PERIOD];
        for (int k = 0; k < PERIOD; k++) {
            boolean flip = role[k] != SYNC && !bits[role[k]];
            re[k] = flip ? -sign[k] : sign[k];
        }
        Fft fft = new Fft(PERIOD);
        fft.forward(re, im);
        for (int f = 0; f < PERIOD; f++) {
            int bin = Math.min(f, PERIOD - f);
            double g = bandGain(bin * (double) SAMPLE_RATE_HZ / PERIOD);
            re[f] *= g;
            im[f] *= g;
        }
        fft.inverse(re, im);
        double energy = 0;
        for (double v : re) {
            energy += v * v;
        }
        double scale = 1 / Math.sqrt(energy / PERIOD);
        float[] out = new float[PERIOD];
        for (int k = 0; k < PERIOD; k++) {
            out[k] = (float) (re[k] * scale);
        }
        return out;
    }
}
