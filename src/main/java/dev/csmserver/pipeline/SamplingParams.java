package dev.csmserver.pipeline;

/**
 * How codes are drawn: the reference's temperature + top-k, seeded per request so the same seed and
 * inputs give the same codes whatever else is in the batch. {@code topK == 1} or {@code temperature
 * == 0} is argmax.
 */
public record SamplingParams(float temperature, int topK, long seed) {
    /** The reference's defaults ({@code generate(..., temperature=0.9, topk=50)}). */
    public static final float DEFAULT_TEMPERATURE = 0.9f;

    public static final int DEFAULT_TOP_K = 50;

    public SamplingParams {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (topK < 1) {
            throw new IllegalArgumentException("top_k must be >= 1, got " + topK);
        }
    }

    public boolean greedy() {
        return topK == 1 || temperature == 0f;
    }
}
