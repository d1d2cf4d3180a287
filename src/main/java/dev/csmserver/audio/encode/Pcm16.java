package dev.csmserver.audio.encode;

/**
 * Float samples to signed 16-bit with the scale {@link dev.csmserver.audio.WavWriter} uses (x
 * 32768, rounded, clipped to [-32768, 32767], NaN to 0), so every format carries the same samples.
 */
final class Pcm16 {
    private Pcm16() {}

    static short toShort(float sample) {
        long v = Float.isNaN(sample) ? 0 : Math.round(sample * 32768.0);
        return (short) Math.max(-32768, Math.min(32767, v));
    }

    static short[] toShorts(float[] samples) {
        short[] out = new short[samples.length];
        for (int i = 0; i < samples.length; i++) {
            out[i] = toShort(samples[i]);
        }
        return out;
    }
}
