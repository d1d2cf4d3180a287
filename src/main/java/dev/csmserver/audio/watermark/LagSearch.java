package dev.csmserver.audio.watermark;

/**
 * Finds where the carrier period starts in a whitened signal: folds the signal onto one period and
 * cross-correlates it with the synchronisation chips at every lag (two FFTs), normalising each lag
 * by its exact null variance. For a fixed signal and independent random chip signs the statistic
 * has mean 0 and variance 1 at every lag, which is what makes the false-alarm probability analytic.
 */
final class LagSearch {
    private static final int P = WatermarkCode.PERIOD;

    private final WatermarkCode code;
    private final Fft fft = new Fft(P);
    private final double[] syncRe = new double[P];
    private final double[] syncIm = new double[P];
    private final double[] maskRe = new double[P];
    private final double[] maskIm = new double[P];

    /** Best lag of one window: {@code z} is signed (negative for an inverted signal). */
    record Peak(int lag, double z, double[] folded) {}

    LagSearch(WatermarkCode code) {
        this.code = code;
        for (int k = 0; k < P; k++) {
            boolean sync = code.role[k] == WatermarkCode.SYNC;
            syncRe[k] = sync ? code.sign[k] : 0;
            maskRe[k] = sync ? 1 : 0;
        }
        fft.forward(syncRe, syncIm);
        fft.forward(maskRe, maskIm);
    }

    /** Folds {@code v[from, to)} by absolute index modulo the period and finds the best lag. */
    Peak search(double[] v, int from, int to) {
        double[] folded = new double[P];
        for (int i = from; i < to; i++) {
            folded[i % P] += v[i];
        }
        double[] s = correlate(folded, syncRe, syncIm);
        double[] squares = new double[P];
        for (int k = 0; k < P; k++) {
            squares[k] = folded[k] * folded[k];
        }
        double[] variance = correlate(squares, maskRe, maskIm);
        int best = 0;
        double bestZ = 0;
        for (int lag = 0; lag < P; lag++) {
            if (variance[lag] <= 0) {
                continue;
            }
            double z = s[lag] / Math.sqrt(variance[lag]);
            if (Math.abs(z) > Math.abs(bestZ)) {
                bestZ = z;
                best = lag;
            }
        }
        return new Peak(best, bestZ, folded);
    }

    /** out[lag] = sum_k a[k] * t[(k + lag) mod P], with t given by its FFT. */
    private double[] correlate(double[] a, double[] tRe, double[] tIm) {
        double[] re = a.clone();
        double[] im = new double[P];
        fft.forward(re, im);
        for (int f = 0; f < P; f++) {
            double r = re[f] * tRe[f] + im[f] * tIm[f];
            double i = re[f] * tIm[f] - im[f] * tRe[f];
            re[f] = r;
            im[f] = i;
        }
        fft.inverse(re, im);
        return re;
    }

    /**
     * Soft payload statistics at a lag: for each coded bit, its correlation over its chips divided
     * by the null standard deviation (a z-score whose sign is the bit), with the signal's polarity.
     */
    double[] bitScores(double[] folded, int lag, int polarity) {
        double[] sum = new double[WatermarkCode.CODED_BITS];
        double[] var = new double[WatermarkCode.CODED_BITS];
        for (int k = 0; k < P; k++) {
            int chip = (k + lag) % P;
            int bit = code.role[chip];
            if (bit != WatermarkCode.SYNC) {
                sum[bit] += folded[k] * code.sign[chip] * polarity;
                var[bit] += folded[k] * folded[k];
            }
        }
        for (int b = 0; b < sum.length; b++) {
            sum[b] = var[b] > 0 ? sum[b] / Math.sqrt(var[b]) : 0;
        }
        return sum;
    }
}
