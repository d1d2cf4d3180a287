package dev.csmserver.audio;

/**
 * How {@link SincResampler} converts one rate pair, and what that costs: either a cached polyphase
 * kernel of {@code kernelFloats} floats applied as one strided convolution, or (when the reduced
 * rates are so large and coprime that the polyphase kernel would explode, e.g. 24001 to 24000 Hz:
 * 24000 phases of 24015 taps, 2.3 GB) the same windowed sinc evaluated per output sample, which
 * needs no kernel at all. Either way the work is at most {@code tapsPerOutput} multiply-adds per
 * output sample, so it is linear in the input.
 */
public record ResamplePlan(
        int fromHz, int toHz, boolean polyphase, long kernelFloats, int tapsPerOutput) {
    /**
     * Output samples for {@code inputLength} input samples: {@code ceil(L * to / from)}, as
     * torchaudio.
     */
    public long outputLength(long inputLength) {
        int g = SincResampler.gcd(fromHz, toHz);
        long o = fromHz / g;
        long n = toHz / g;
        return (inputLength * n + o - 1) / o;
    }

    /** Upper bound of the multiply-adds to resample {@code inputLength} samples. */
    public long multiplyAdds(long inputLength) {
        return (outputLength(inputLength)
                        + (polyphase ? toHz / SincResampler.gcd(fromHz, toHz) : 0))
                * tapsPerOutput;
    }
}
