package dev.csmserver.audio.watermark;

/**
 * The detector's front end: a short-time Fourier transform (512-point sqrt-Hann frames, hop 256)
 * in which each cell is weighted by the mark's expected amplitude over the local power (maximum
 * ratio combining), restricted to the carrier's band, then overlap-added back to the time axis.
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

    /** Whitened, band-limited copy of 24 kHz {@code x}, same length and alignment. */
    double[] whiten(float[] x) {
        int frames = (x.length + HOP - 1) / HOP + 1;
        int bins = FRAME / 2 + 1;
        double[][] re = new double[frames][];
        double[][] im = new double[frames][];
        double[][] power = new double[frames][bins];
        double[] frameAmplitude = new double[frames];
        double total = 0;
        for (int t = 0; t < frames; t++) {
            double[] r = new double[FRAME];
            double[] m = new double[FRAME];
            int start = t * HOP - HOP;
            for (int i = 0; i < FRAME; i++) {
                int n = start + i;
                r[i] = n >= 0 && n < x.length ? x[n] * window[i] : 0;
            }
            fft.forward(r, m);
            re[t] = r;
            im[t] = m;
            double sum = 0;
            for (int f = 0; f < bins; f++) {
                power[t][f] = r[f] * r[f] + m[f] * m[f];
                sum += power[t][f];
            }
            frameAmplitude[t] = Math.sqrt(sum);
            total += sum;
        }
        double floor = 1e-9 * total / Math.max(1, frames * bins) + 1e-30;
        double[] out = new double[x.length];
        for (int t = 0; t < frames; t++) {
            double[] r = re[t];
            double[] m = im[t];
            for (int f = 0; f < bins; f++) {
                double w = band[f] == 0 ? 0 : band[f] * frameAmplitude[t] / (local(power, t, f) + floor);
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
        return out;
    }

    /** Mean power of the 3 x 3 neighbourhood of cell (t, f). */
    private static double local(double[][] power, int t, int f) {
        double sum = 0;
        int count = 0;
        for (int dt = -1; dt <= 1; dt++) {
            int tt = t + dt;
            if (tt < 0 || tt >= power.length) {
                continue;
            }
            for (int df = -1; df <= 1; df++) {
                int ff = f + df;
                if (ff >= 0 && ff < power[tt].length) {
                    sum += power[tt][ff];
                    count++;
                }
            }
        }
        return sum / count;
    }
}
