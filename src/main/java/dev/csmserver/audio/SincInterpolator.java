package dev.csmserver.audio;

/**
 * The same windowed sinc as {@link PolyphaseKernel}, evaluated directly at each output sample's
 * position instead of being tabulated per phase. It needs no kernel, so it handles ratios whose
 * reduced rates are large and coprime (24001 to 24000 Hz), where the table would hold {@code n *
 * (2w + o)} floats. Per output sample it visits the input samples within the filter's half-width
 * (at most {@link #tapsPerOutput} of them); sine and window are advanced by rotation from one input
 * sample to the next, so the inner loop has no trigonometric call.
 */
final class SincInterpolator {
    private SincInterpolator() {}

    /** Half-width of the filter in input samples: where {@code |t|} reaches the lowpass width. */
    static double radius(int o, int n) {
        return SincResampler.LOWPASS_FILTER_WIDTH * o / (Math.min(o, n) * SincResampler.ROLLOFF);
    }

    /** Most input samples one output sample reads. */
    static int tapsPerOutput(int o, int n) {
        return (int) Math.floor(2 * radius(o, n)) + 1;
    }

    /** Resamples {@code x} by the reduced ratio o/n into exactly {@code outLength} samples. */
    static float[] resample(float[] x, int o, int n, int outLength) {
        final double width = SincResampler.LOWPASS_FILTER_WIDTH;
        double base = Math.min(o, n) * SincResampler.ROLLOFF;
        double radius = radius(o, n);
        double scale = base / o;
        // t (torchaudio's kernel argument) of input sample m for output q is (m*n - q*o) *
        // tPerUnit.
        double tPerUnit = base / ((double) o * n);
        double sincStep = Math.PI * base / o; // phase of sin(pi t) per input sample
        double cosS = Math.cos(sincStep);
        double sinS = Math.sin(sincStep);
        double windowStep = sincStep / (2 * width); // phase of cos(pi t / 2 width) per input sample
        double cosW = Math.cos(windowStep);
        double sinW = Math.sin(windowStep);
        float[] out = new float[outLength];
        for (int q = 0; q < outLength; q++) {
            double pos = (double) q * o / n; // the output sample's position, in input samples
            long first = Math.max(0, (long) Math.ceil(pos - radius));
            long last = Math.min(x.length - 1L, (long) Math.floor(pos + radius));
            if (first > last) {
                continue;
            }
            long qo = (long) q * o;
            double t0 = (first * n - qo) * tPerUnit;
            double sin = Math.sin(Math.PI * t0);
            double cos = Math.cos(Math.PI * t0);
            double wSin = Math.sin(Math.PI * t0 / (2 * width));
            double wCos = Math.cos(Math.PI * t0 / (2 * width));
            double acc = 0;
            for (long m = first; m <= last; m++) {
                long num = m * n - qo;
                double t = num * tPerUnit;
                if (Math.abs(t) < width) {
                    double sinc = num == 0 ? 1.0 : sin / (Math.PI * t);
                    acc += x[(int) m] * sinc * wCos * wCos;
                }
                double nextSin = sin * cosS + cos * sinS;
                cos = cos * cosS - sin * sinS;
                sin = nextSin;
                double nextWSin = wSin * cosW + wCos * sinW;
                wCos = wCos * cosW - wSin * sinW;
                wSin = nextWSin;
            }
            out[q] = (float) (acc * scale);
        }
        return out;
    }
}
