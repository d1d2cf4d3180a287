package dev.csmserver.audio.watermark;

/**
 * Marks one 24 kHz stream, chunk by chunk, with zero latency: each output sample is the input plus
 * the keyed carrier scaled by a causal envelope of the input's power, so the result does not depend
 * on how the stream is cut into chunks, and silence stays silent. One instance per stream; not
 * thread-safe. Costs a few nanoseconds per sample.
 *
 * <p>{@code y[n] = x[n] + sqrt(beta * p[n]) * c[n mod P]} where {@code p} is the input power
 * smoothed by a one-pole filter ({@link #ENVELOPE_SECONDS}) and {@code beta} sets the mark {@link
 * #MARK_TO_SIGNAL_DB} below the signal. The smoother has unit DC gain, so the mark's total energy
 * tracks the signal's and the SNR stays close to that figure on any input.
 */
public final class StreamingWatermarker {
    /** Mark power relative to the signal's, in dB (SNR target is 30 dB; keep a margin). */
    public static final double MARK_TO_SIGNAL_DB = -32.0;

    /** Time constant of the power envelope: about a syllable's onset. */
    public static final double ENVELOPE_SECONDS = 0.02;

    private static final double BETA = Math.pow(10, MARK_TO_SIGNAL_DB / 10);
    private static final double ALPHA =
            1 - Math.exp(-1 / (ENVELOPE_SECONDS * WatermarkCode.SAMPLE_RATE_HZ));

    private final float[] carrier;
    private double power;
    private long position;

    /** A marker for a new stream; builds the carrier (a 16k-point FFT, about a millisecond). */
    public StreamingWatermarker(WatermarkKey key) {
        this(new WatermarkCode(key).carrier(key.payload()));
    }

    private StreamingWatermarker(float[] carrier) {
        this.carrier = carrier;
    }

    /**
     * A marker for a new stream sharing this one's carrier (same key and payload), without
     * rebuilding it. The new marker starts at sample 0 with an empty envelope.
     */
    public StreamingWatermarker newStream() {
        return new StreamingWatermarker(carrier);
    }

    /** Returns the marked copy of the next chunk (same length); the input is not modified. */
    public float[] mark(float[] chunk) {
        float[] out = new float[chunk.length];
        int period = carrier.length;
        int phase = (int) (position % period);
        for (int i = 0; i < chunk.length; i++) {
            double x = chunk[i];
            power += ALPHA * (x * x - power);
            out[i] = (float) (x + Math.sqrt(BETA * power) * carrier[phase]);
            if (++phase == period) {
                phase = 0;
            }
        }
        position += chunk.length;
        return out;
    }

    /** Samples marked so far. */
    public long position() {
        return position;
    }
}
