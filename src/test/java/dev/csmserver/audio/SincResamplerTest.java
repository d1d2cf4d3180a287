package dev.csmserver.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SincResamplerTest {
    private static float[] sine(double hz, int rate, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (0.5 * Math.sin(2 * Math.PI * hz * i / rate));
        }
        return x;
    }

    /** Amplitude of the {@code hz} component (least-squares fit of sin+cos over the middle). */
    private static double amplitude(float[] y, double hz, int rate) {
        int from = y.length / 4;
        int to = 3 * y.length / 4;
        double s = 0;
        double c = 0;
        for (int i = from; i < to; i++) {
            s += y[i] * Math.sin(2 * Math.PI * hz * i / rate);
            c += y[i] * Math.cos(2 * Math.PI * hz * i / rate);
        }
        return 2 * Math.hypot(s, c) / (to - from);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "24000, 44100",
        "44100, 24000",
        "16000, 24000",
        "48000, 24000",
        "22050, 24000",
        "8000, 24000",
        "24001, 24000",
        "24011, 24000",
        "44101, 24000",
        "192000, 24000",
        "24000, 24001",
        "24000, 44101"
    })
    void preservesInBandSine(int from, int to) {
        double hz = 1000;
        float[] y = SincResampler.resample(sine(hz, from, from), from, to);
        assertEquals(to, y.length);
        assertEquals(
                0.5, amplitude(y, hz, to), 0.005, "1 kHz amplitude after " + from + " -> " + to);
        assertTrue(amplitude(y, 1100, to) < 0.01, "energy leaked to a wrong frequency");
    }

    @Test
    void rejectsAliasingWhenDownsampling() {
        // 20 kHz at 48 kHz is above the 12 kHz Nyquist of 24 kHz: it must vanish, not fold to 4
        // kHz.
        float[] y = SincResampler.resample(sine(20000, 48000, 48000), 48000, 24000);
        assertTrue(
                amplitude(y, 4000, 24000) < 0.005, "alias at 4 kHz: " + amplitude(y, 4000, 24000));
        double rms = 0;
        for (int i = y.length / 4; i < 3 * y.length / 4; i++) {
            rms += y[i] * y[i];
        }
        assertTrue(Math.sqrt(rms / (y.length / 2.0)) < 0.005);
    }

    @ParameterizedTest
    @CsvSource({
        "1, 24000, 44100",
        "7, 24000, 44100",
        "1001, 44100, 24000",
        "12345, 22050, 24000",
        "3, 48000, 24000"
    })
    void exactLengths(int n, int from, int to) {
        long expected = (long) Math.ceil((double) n * to / from);
        assertEquals(expected, SincResampler.resample(new float[n], from, to).length);
    }

    @ParameterizedTest(name = "{0} <-> 24000")
    @CsvSource({"24001", "24011", "44101", "8000", "192000", "191999", "8001"})
    void oddRatesNeedABoundedKernelAndWorkLinearInTheInput(int rate) {
        for (int[] pair : new int[][] {{rate, 24000}, {24000, rate}}) {
            ResamplePlan plan = SincResampler.plan(pair[0], pair[1]);
            String what = pair[0] + " -> " + pair[1] + ": " + plan;
            assertTrue(plan.kernelFloats() <= SincResampler.MAX_KERNEL_FLOATS, what);
            // the windowed sinc spans 12.1 periods of the lower rate; a polyphase phase adds one
            // stride
            double ratio = Math.max(1.0, pair[0] / (double) pair[1]);
            int taps = 2 * (int) Math.ceil(6 * ratio / 0.99) + (int) Math.ceil(ratio) + 1;
            assertTrue(plan.tapsPerOutput() <= taps, what);
            int n = 10 * pair[0];
            long outputs = plan.outputLength(n);
            assertTrue(plan.multiplyAdds(n) <= (outputs + 3) * taps, what);
            float[] y = SincResampler.resample(new float[n], pair[0], pair[1]);
            assertEquals(outputs, y.length, what);
        }
        assertTrue(SincResampler.cachedKernelFloats() <= SincResampler.MAX_CACHED_FLOATS);
    }

    @Test
    void theKernelCacheStaysBoundedWhateverRatesClientsSend() {
        for (int rate = 8000; rate <= 192_000; rate += 4001) {
            SincResampler.resample(new float[64], rate, 24000);
            SincResampler.resample(new float[64], 24000, rate);
            assertTrue(
                    SincResampler.cachedKernelFloats() <= SincResampler.MAX_CACHED_FLOATS,
                    "after "
                            + rate
                            + " Hz: "
                            + SincResampler.cachedKernelFloats()
                            + " floats cached");
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"44100, 24000", "24000, 44100", "16000, 24000", "48000, 24000"})
    void perSampleEvaluationMatchesThePolyphaseKernel(int from, int to) {
        float[] x = sine(997, from, from / 2);
        int g = SincResampler.gcd(from, to);
        int o = from / g;
        int n = to / g;
        int length = (int) SincResampler.plan(from, to).outputLength(x.length);
        float[] polyphase = PolyphaseKernel.build(o, n).apply(x, length);
        float[] direct = SincInterpolator.resample(x, o, n, length);
        double maxErr = 0;
        for (int i = 0; i < length; i++) {
            maxErr = Math.max(maxErr, Math.abs(polyphase[i] - direct[i]));
        }
        assertTrue(maxErr < 1e-5, "max |polyphase - direct| = " + maxErr);
    }

    @Test
    void sameRateIsACopy() {
        float[] x = {1, 2, 3};
        Pcm out = SincResampler.resample(new Pcm(x, 24000), 24000);
        assertArrayEquals(x, out.samples());
        assertEquals(24000, out.sampleRateHz());
    }

    @Test
    void roundTripIsClose() {
        float[] x = sine(440, 24000, 24000);
        float[] back =
                SincResampler.resample(SincResampler.resample(x, 24000, 44100), 44100, 24000);
        assertEquals(x.length, back.length);
        double maxErr = 0;
        for (int i = 1000; i < x.length - 1000; i++) {
            maxErr = Math.max(maxErr, Math.abs(x[i] - back[i]));
        }
        assertTrue(maxErr < 1e-3, "round trip error " + maxErr);
    }
}
