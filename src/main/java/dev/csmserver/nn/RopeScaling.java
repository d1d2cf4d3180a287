package dev.csmserver.nn;

/**
 * Llama-3 RoPE frequency parameters in torchtune's form ({@code Llama3ScaledRoPE}): base, scale
 * factor, low/high frequency factors and the original context length. transformers' equivalent
 * ({@code rope_scaling}, rope_type llama3) converts with {@link #fromTransformers}.
 */
public record RopeScaling(
        double base,
        double scaleFactor,
        double lowFreqFactor,
        double highFreqFactor,
        double oldContextLen) {

    /** torchtune's defaults used by both CSM stacks: base 500000, 32, 1, 4, 8192. */
    public static RopeScaling llama3(double base) {
        return new RopeScaling(base, 32, 1, 4, 8192);
    }

    /**
     * From transformers' {@code rope_scaling}: same formula with wavelengths {@code orig/low} and
     * {@code orig/high}; rescaled so the low factor is 1 (CSM-1B: 0.125/0.5/1024 -> 1/4/8192).
     */
    public static RopeScaling fromTransformers(
            double base, double factor, double low, double high, double original) {
        return new RopeScaling(base, factor, 1.0, high / low, original / low);
    }
}
