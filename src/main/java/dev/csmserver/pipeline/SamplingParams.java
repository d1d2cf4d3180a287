package dev.csmserver.pipeline;

import dev.csmserver.model.Sampler;

/**
 * How codes are drawn: the reference's temperature + top-k, seeded per request so the same seed and
 * inputs give the same codes whatever else is in the batch. {@code topK == 1} or {@code temperature
 * == 0} is argmax. The defaults live here; the ranges are {@link Sampler}'s, checked once by {@link
 * Sampler#checkParams} when a value is built. Build with {@link #seeded} and the withers, so a new
 * parameter touches this record, the request DTO, the validator and the sampler only.
 */
public record SamplingParams(float temperature, int topK, long seed) {
    /** The reference's defaults ({@code generate(..., temperature=0.9, topk=50)}). */
    public static final float DEFAULT_TEMPERATURE = 0.9f;

    public static final int DEFAULT_TOP_K = 50;

    public SamplingParams {
        Sampler.checkParams(temperature, topK);
    }

    /** The reference's defaults with {@code seed}. */
    public static SamplingParams seeded(long seed) {
        return new SamplingParams(DEFAULT_TEMPERATURE, DEFAULT_TOP_K, seed);
    }

    public SamplingParams withTemperature(float temperature) {
        return new SamplingParams(temperature, topK, seed);
    }

    public SamplingParams withTopK(int topK) {
        return new SamplingParams(temperature, topK, seed);
    }

    public SamplingParams withSeed(long seed) {
        return new SamplingParams(temperature, topK, seed);
    }

    /** A sampler drawing with these parameters from its own generator (one per request). */
    public Sampler sampler() {
        return new Sampler(temperature, topK, seed);
    }
}
