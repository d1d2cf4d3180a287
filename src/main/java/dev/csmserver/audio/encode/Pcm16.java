package dev.csmserver.audio.encode;

/** Float samples to signed 16-bit, rounded and clipped to [-32768, 32767]. */
final class Pcm16 {
    private Pcm16() {}

    static short toShort(float sample) {
        float scaled = sample * 32767f;
        if (scaled >= 32767f) {
            return Short.MAX_VALUE;
        }
        if (scaled <= -32768f) {
            return Short.MIN_VALUE;
        }
        return (short) Math.round(scaled);
    }

    static short[] toShorts(float[] samples) {
        short[] out = new short[samples.length];
        for (int i = 0; i < samples.length; i++) {
            out[i] = toShort(samples[i]);
        }
        return out;
    }

    /** Little-endian bytes, two per sample. */
    static byte[] toLittleEndian(float[] samples) {
        byte[] out = new byte[samples.length * 2];
        for (int i = 0; i < samples.length; i++) {
            short s = toShort(samples[i]);
            out[2 * i] = (byte) s;
            out[2 * i + 1] = (byte) (s >> 8);
        }
        return out;
    }
}
