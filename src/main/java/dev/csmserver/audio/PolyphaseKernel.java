package dev.csmserver.audio;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;

/**
 * torchaudio's polyphase filter bank for one reduced ratio o/n ({@code _get_sinc_resample_kernel}):
 * {@code n} phases of {@code 2w + o} taps, applied as one conv1d with stride {@code o} ({@code
 * _apply_sinc_resample_kernel}). Its size grows with {@code n * o}, so {@link SincResampler} only
 * builds it for ratios where that stays small.
 */
final class PolyphaseKernel {
    private final float[] weights; // [n, 1, taps] row-major
    private final int o;
    private final int n;
    private final int width;
    private final int taps;

    private PolyphaseKernel(float[] weights, int o, int n, int width, int taps) {
        this.weights = weights;
        this.o = o;
        this.n = n;
        this.width = width;
        this.taps = taps;
    }

    /** Half-width {@code w} in input samples, as torchaudio rounds it. */
    static int width(int o, int n) {
        double base = Math.min(o, n) * SincResampler.ROLLOFF;
        return (int) Math.ceil(SincResampler.LOWPASS_FILTER_WIDTH * o / base);
    }

    /** Taps per phase, {@code 2w + o}. */
    static int taps(int o, int n) {
        return 2 * width(o, n) + o;
    }

    static PolyphaseKernel build(int o, int n) {
        double base = Math.min(o, n) * SincResampler.ROLLOFF;
        int width = width(o, n);
        int taps = 2 * width + o;
        float[] w = new float[Math.multiplyExact(n, taps)];
        double scale = base / o;
        for (int j = 0; j < n; j++) {
            for (int m = 0; m < taps; m++) {
                double idx = (m - width) / (double) o;
                double t = (-j / (double) n + idx) * base;
                t =
                        Math.max(
                                -SincResampler.LOWPASS_FILTER_WIDTH,
                                Math.min(SincResampler.LOWPASS_FILTER_WIDTH, t));
                double window = Math.cos(t * Math.PI / SincResampler.LOWPASS_FILTER_WIDTH / 2);
                window *= window;
                double pt = t * Math.PI;
                double sinc = pt == 0 ? 1.0 : Math.sin(pt) / pt;
                w[j * taps + m] = (float) (sinc * window * scale);
            }
        }
        return new PolyphaseKernel(w, o, n, width, taps);
    }

    int floats() {
        return weights.length;
    }

    /** Resamples {@code samples} into exactly {@code outLength} samples. */
    float[] apply(float[] samples, int outLength) {
        int len = samples.length;
        try (NDManager m = NDManager.newBaseManager()) {
            float[] padded = new float[width + len + width + o];
            System.arraycopy(samples, 0, padded, width, len);
            NDArray x = m.create(padded, new Shape(1, 1, padded.length)); // [1, 1, L + 2w + o]
            NDArray w = m.create(weights, new Shape(n, 1, taps)); // [n, 1, 2w + o]
            NDArray y =
                    Conv1d.conv1d(x, w, null, new Shape(o), new Shape(0), new Shape(1), 1)
                            .singletonOrThrow(); // [1, n, frames]
            float[] flat = y.get(0).transpose(1, 0).flatten().toFloatArray(); // frame-major
            float[] out = new float[outLength];
            System.arraycopy(flat, 0, out, 0, outLength);
            return out;
        }
    }
}
