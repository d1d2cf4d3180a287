package dev.csmserver.audio.watermark;

/**
 * The detector's front end: a short-time Fourier transform (512-point sqrt-Hann frames, hop 256) in
 * which each cell is weighted by the mark's expected amplitude over the local power (maximum ratio
 * combining), restricted to the carrier's band, then overlap-added back to the time axis.
 *
 * <p>The mark is scaled by the frame's power envelope while the host and any added noise vary
 * wildly from cell to cell; dividing by the local power turns loud host cells (voiced harmonics)
 * from the dominant interference into small contributions, and weighting by the frame's amplitude
 * discounts pauses, where an attack's noise is all there is. Correlating the result with the chip
 * sequence is then the (approximately) matched filter of the band-limited carrier.
 */
final class Whitener {
    static final int FRAME = 512;
    static final int HOP = FRAME / 2;

    private final Fft fft = new Fft(FRAME);
    private final double[] window = new double[FRAME];
    private final double[] band = new double[FRAME / 2 + 1];

    Whitener() {
        for (int i = 0; i < FRAME; i++) {
            window[i] = Math.sqrt(0.5 - 0.5 * Math.cos(2 * Math.PI * i / FRAME));
        }
        for (int f = 0; f <= FRAME / 2; f++) {
            band[f] = WatermarkCode.bandGain(f * (double) WatermarkCode.SAMPLE_RATE_HZ / FRAME);
        }
    }

    /**
     * Whitened, band-limited copy of 24 kHz {@code x}, same length and alignment. Frames are
     * analysed one ahead of the frame being weighted (its 3 x 3 neighbourhood needs the next one),
     * so memory stays three frames besides the output, whatever the length.
     */
    double[] whiten(float[] x) {
        int frames = (x.length + HOP - 1) / HOP + 1;
        double meanPower = 0;
        for (float v : x) {
            meanPower += v * (double) v;
        }
        // Per-cell power of a frame is about sum(x^2 over the frame) / bins; the floor only guards
        // cells of digital silence.
        double floor = 1e-9 * meanPower / Math.max(1, x.length) * FRAME / 2 + 1e-30;
        double[] out = new double[x.length];
        Frame previous = null;
        Frame current = analyse(x, 0);
        for (int t = 0; t < frames; t++) {
            Frame next = t + 1 < frames ? analyse(x, t + 1) : null;
            synthesise(current, previous, next, floor, out, t);
            previous = current;
            current = next;
        }
        return out;
    }

    /** One analysed frame: spectrum, per-bin power and the frame's amplitude. */
    private record Frame(double[] re, double[] im, double[] power, double amplitude) {}

    private Frame analyse(float[] x, int t) {
        double[] r = new double[FRAME];
        double[] m = new double[FRAME];
        int start = t * HOP - HOP;
        for (int i = 0; i < FRAME; i++) {
            int n = start + i;
            r[i] = n >= 0 && n < x.length ? x[n] * window[i] : 0;
        }
        fft.forward(r, m);
        double[] power = new double[FRAME / 2 + 1];
        double sum = 0;
        for (int f = 0; f < power.length; f++) {
            power[f] = r[f] * r[f] + m[f] * m[f];
            sum += power[f];
        }
        return new Frame(r, m, power, Math.sqrt(sum));
    }

    private void synthesise(Frame c, Frame prev, Frame next, double floor, double[] out, int t) {
        double[] r = c.re;
        double[] m = c.im;
        for (int f = 0; f <= FRAME / 2; f++) {
            double local =
                    local(c.power, f)
                            + (prev == null ? 0 : local(prev.power, f))
                            + (next == null ? 0 : local(next.power, f));
            int cells = 3 * (prev == null ? 0 : 1) + 3 * (next == null ? 0 : 1) + 3;
            double w = band[f] == 0 ? 0 : band[f] * c.amplitude / (local / cells + floor);
            r[f] *= w;
            m[f] *= w;
            if (f > 0 && f < FRAME / 2) {
                r[FRAME - f] = r[f];
                m[FRAME - f] = -m[f];
            }
        }
        fft.inverse(r, m);
        int start = t * HOP - HOP;
        for (int i = 0; i < FRAME; i++) {
            int n = start + i;
            if (n >= 0 && n < out.length) {
                out[n] += r[i] * window[i];
            }
        }
    }

    /** Sum of the power of bins f-1, f, f+1 of one frame (edges repeat the end bin). */
    private static double local(double[] power, int f) {
        int lo = Math.max(0, f - 1);
        int hi = Math.min(power.length - 1, f + 1);
        return power[lo] + power[f] + power[hi];
    }
}
