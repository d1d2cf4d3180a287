package dev.csmserver.audio;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * torchaudio's {@code functional.resample} with its defaults (windowed sinc, Hann window,
 * {@code lowpass_filter_width 6}, {@code rolloff 0.99}): the reference resamples context audio and
 * the watermark path with it. The polyphase kernel {@code [n, 1, 2w + o]} is built once per rate
 * pair and applied as one strided DJL conv1d; the output has exactly {@code ceil(L * n / o)}
 * samples, where {@code o/n} is the reduced rate ratio (csm-spec §8, [ta]
 * {@code _get_sinc_resample_kernel}, {@code _apply_sinc_resample_kernel}).
 */
public final class SincResampler {
    private static final int LOWPASS_FILTER_WIDTH = 6;
    private static final double ROLLOFF = 0.99;
    private static final Map<Long, Kernel> KERNELS = new ConcurrentHashMap<>();

    private SincResampler() {}

    /** {@code pcm} at {@code targetRateHz}; the same samples (copied) when the rates are equal. */
    public static Pcm resample(Pcm pcm, int targetRateHz) {
        return new Pcm(resample(pcm.samples(), pcm.sampleRateHz(), targetRateHz), targetRateHz);
    }

    /** Resamples {@code samples} from {@code fromHz} to {@code toHz}. */
    public static float[] resample(float[] samples, int fromHz, int toHz) {
        if (fromHz <= 0 || toHz <= 0) {
            throw new IllegalArgumentException("sample rates must be positive: " + fromHz + " -> " + toHz);
        }
        if (fromHz == toHz || samples.length == 0) {
            return fromHz == toHz ? samples.clone() : new float[0];
        }
        int g = gcd(fromHz, toHz);
        int o = fromHz / g;
        int n = toHz / g;
        Kernel k = KERNELS.computeIfAbsent(((long) o << 32) | n, key -> Kernel.build(o, n));
        long target = (long) Math.ceil((double) n * samples.length / o);
        if (target > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("resampled audio too long: " + target + " samples");
        }
        int len = samples.length;
        try (NDManager m = NDManager.newBaseManager()) {
            float[] padded = new float[k.width + len + k.width + o];
            System.arraycopy(samples, 0, padded, k.width, len);
            NDArray x = m.create(padded, new Shape(1, 1, padded.length)); // [1, 1, L + 2w + o]
            NDArray w = m.create(k.weights, new Shape(n, 1, k.taps)); // [n, 1, 2w + o]
            NDArray y = Conv1d.conv1d(x, w, null, new Shape(o), new Shape(0), new Shape(1), 1)
                    .singletonOrThrow(); // [1, n, frames]
            float[] flat = y.get(0).transpose(1, 0).flatten().toFloatArray(); // frame-major
            float[] out = new float[(int) target];
            System.arraycopy(flat, 0, out, 0, out.length);
            return out;
        }
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** The polyphase filter bank for one reduced ratio o/n. */
    private record Kernel(float[] weights, int width, int taps) {
        static Kernel build(int o, int n) {
            double base = Math.min(o, n) * ROLLOFF;
            int width = (int) Math.ceil(LOWPASS_FILTER_WIDTH * o / base);
            int taps = 2 * width + o;
            float[] w = new float[n * taps];
            double scale = base / o;
            for (int j = 0; j < n; j++) {
                for (int m = 0; m < taps; m++) {
                    double idx = (m - width) / (double) o;
                    double t = (-j / (double) n + idx) * base;
                    t = Math.max(-LOWPASS_FILTER_WIDTH, Math.min(LOWPASS_FILTER_WIDTH, t));
                    double window = Math.cos(t * Math.PI / LOWPASS_FILTER_WIDTH / 2);
                    window *= window;
                    double pt = t * Math.PI;
                    double sinc = pt == 0 ? 1.0 : Math.sin(pt) / pt;
                    w[j * taps + m] = (float) (sinc * window * scale);
                }
            }
            return new Kernel(w, width, taps);
        }
    }
}
