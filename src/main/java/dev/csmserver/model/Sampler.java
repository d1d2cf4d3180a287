package dev.csmserver.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The reference {@code sample_topk} (spec 4), seeded per request: logits / temperature, keep every
 * value ≥ the k-th largest (ties at the threshold kept), softmax, then the exponential race
 * {@code argmax p_j / E_j} with {@code E_j ~ Exp(1)} from this request's own generator. top-k 1
 * or temperature 0 is argmax. Not thread-safe; one per request.
 */
public final class Sampler {
    private final float temperature;
    private final int topK;
    private final SplittableRandom random;

    public Sampler(float temperature, int topK, long seed) {
        if (!(temperature >= 0) || topK < 1) {
            throw new IllegalArgumentException("temperature >= 0 and top_k >= 1 required");
        }
        this.temperature = temperature;
        this.topK = topK;
        this.random = new SplittableRandom(seed);
    }

    /** Always the largest logit (first index on ties), as the reference at top-k 1. */
    public static Sampler greedy() {
        return new Sampler(1f, 1, 0);
    }

    public boolean isGreedy() {
        return topK == 1 || temperature == 0f;
    }

    /** One code from {@code logits [V]} float32. */
    public int sample(float[] logits) {
        if (isGreedy()) {
            return argmax(logits);
        }
        int v = logits.length;
        float[] scaled = new float[v];
        for (int j = 0; j < v; j++) {
            scaled[j] = logits[j] / temperature;
        }
        float[] sorted = scaled.clone();
        Arrays.sort(sorted);
        float threshold = sorted[v - Math.min(topK, v)];
        double max = sorted[v - 1];
        double sum = 0;
        double[] p = new double[v];
        for (int j = 0; j < v; j++) {
            if (scaled[j] >= threshold) {
                p[j] = Math.exp(scaled[j] - max);
                sum += p[j];
            }
        }
        int best = -1;
        double bestScore = -1;
        for (int j = 0; j < v; j++) {
            if (p[j] > 0) {
                double e = -Math.log(1.0 - random.nextDouble()); // Exp(1), never 0 / inf
                double score = p[j] / sum / e;
                if (score > bestScore) {
                    bestScore = score;
                    best = j;
                }
            }
        }
        return best;
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int j = 1; j < logits.length; j++) {
            if (logits[j] > logits[best]) {
                best = j;
            }
        }
        return best;
    }
}
