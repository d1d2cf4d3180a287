package dev.csmserver.audio;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * torchaudio's {@code functional.resample} with its defaults (windowed sinc, Hann window, {@code
 * lowpass_filter_width 6}, {@code rolloff 0.99}): the reference resamples context audio and the
 * watermark path with it. The output has exactly {@code ceil(L * n / o)} samples, where {@code o/n}
 * is the reduced rate ratio (csm-spec §8, [ta] {@code _get_sinc_resample_kernel}, {@code
 * _apply_sinc_resample_kernel}).
 *
 * <p>Common ratios (44.1 or 16 kHz to 24 kHz) use torchaudio's polyphase kernel as one strided
 * conv1d; kernels are cached, but only small ones and only up to a fixed total, because a client
 * chooses the rate: a kernel's size grows with the product of the reduced rates (24001 to 24000 Hz
 * would need 2.3 GB). Such ratios are evaluated per output sample instead ({@link
 * SincInterpolator}), in time linear in the input and with no kernel at all. See {@link #plan}.
 */
public final class SincResampler {
    static final int LOWPASS_FILTER_WIDTH = 6;
    static final double ROLLOFF = 0.99;

    /**
     * Largest polyphase kernel built: 1 MB of floats (44.1 to 24 kHz needs 13,680; 11.025 kHz
     * 51,520).
     */
    static final long MAX_KERNEL_FLOATS = 1 << 18;

    /** Longest polyphase phase; past it the per-sample path reads fewer taps anyway. */
    static final int MAX_KERNEL_TAPS = 4096;

    /** Total floats the kernel cache may hold (16 MB); least recently used kernels go first. */
    static final long MAX_CACHED_FLOATS = 1 << 22;

    private static final Map<Long, PolyphaseKernel> KERNELS = new LinkedHashMap<>(16, 0.75f, true);
    private static long cachedFloats;

    private SincResampler() {}

    /** {@code pcm} at {@code targetRateHz}; the same samples (copied) when the rates are equal. */
    public static Pcm resample(Pcm pcm, int targetRateHz) {
        return new Pcm(resample(pcm.samples(), pcm.sampleRateHz(), targetRateHz), targetRateHz);
    }

    /** Resamples {@code samples} from {@code fromHz} to {@code toHz}. */
    public static float[] resample(float[] samples, int fromHz, int toHz) {
        ResamplePlan plan = plan(fromHz, toHz);
        if (fromHz == toHz || samples.length == 0) {
            return fromHz == toHz ? samples.clone() : new float[0];
        }
        long target = plan.outputLength(samples.length);
        if (target > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("resampled audio too long: " + target + " samples");
        }
        int g = gcd(fromHz, toHz);
        int o = fromHz / g;
        int n = toHz / g;
        if (!plan.polyphase()) {
            return SincInterpolator.resample(samples, o, n, (int) target);
        }
        return kernel(o, n).apply(samples, (int) target);
    }

    /**
     * Which method converts {@code fromHz} to {@code toHz}, and its kernel size and taps per output
     * sample.
     */
    public static ResamplePlan plan(int fromHz, int toHz) {
        if (fromHz <= 0 || toHz <= 0) {
            throw new IllegalArgumentException(
                    "sample rates must be positive: " + fromHz + " -> " + toHz);
        }
        int g = gcd(fromHz, toHz);
        int o = fromHz / g;
        int n = toHz / g;
        long taps = PolyphaseKernel.taps(o, n);
        long kernelFloats = n * taps;
        if (kernelFloats <= MAX_KERNEL_FLOATS && taps <= MAX_KERNEL_TAPS) {
            return new ResamplePlan(fromHz, toHz, true, kernelFloats, (int) taps);
        }
        return new ResamplePlan(fromHz, toHz, false, 0, SincInterpolator.tapsPerOutput(o, n));
    }

    /** Floats held by the kernel cache now (bounded by {@link #MAX_CACHED_FLOATS}); for tests. */
    public static synchronized long cachedKernelFloats() {
        return cachedFloats;
    }

    /**
     * The cached kernel for o/n, built on a miss; the least recently used are evicted past the
     * bound.
     */
    private static PolyphaseKernel kernel(int o, int n) {
        long key = ((long) o << 32) | n;
        synchronized (SincResampler.class) {
            PolyphaseKernel k = KERNELS.get(key);
            if (k != null) {
                return k;
            }
        }
        // Built outside the lock (a few ms); two threads may build the same one, which is harmless.
        PolyphaseKernel built = PolyphaseKernel.build(o, n);
        synchronized (SincResampler.class) {
            if (KERNELS.put(key, built) == null) {
                cachedFloats += built.floats();
            }
            var it = KERNELS.values().iterator();
            while (cachedFloats > MAX_CACHED_FLOATS && it.hasNext()) {
                cachedFloats -= it.next().floats();
                it.remove();
            }
        }
        return built;
    }

    static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
