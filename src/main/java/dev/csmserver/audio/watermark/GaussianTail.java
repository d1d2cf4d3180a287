package dev.csmserver.audio.watermark;

/** Upper tail of the standard normal distribution, Q(z) = P(N(0,1) > z). */
final class GaussianTail {
    private GaussianTail() {}

    /**
     * Q(z) via the Chebyshev fit of erfc in Numerical Recipes (fractional error below 1.2e-7
     * everywhere, which is ample for a false-alarm probability).
     */
    static double q(double z) {
        return 0.5 * erfc(z / Math.sqrt(2));
    }

    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double poly =
                -z * z
                        - 1.26551223
                        + t
                                * (1.00002368
                                        + t
                                                * (0.37409196
                                                        + t
                                                                * (0.09678418
                                                                        + t
                                                                                * (-0.18628806
                                                                                        + t
                                                                                                * (0.27886807
                                                                                                        + t
                                                                                                                * (-1.13520398
                                                                                                                        + t
                                                                                                                                * (1.48851587
                                                                                                                                        + t
                                                                                                                                                * (-0.82215223
                                                                                                                                                        + t
                                                                                                                                                                * 0.17087277))))))));
        double r = t * Math.exp(poly);
        return x >= 0 ? r : 2 - r;
    }
}
