package dev.csmserver.model;

import java.util.SplittableRandom;

/**
 * The reference {@code sample_topk} (spec 4), seeded per request: logits / temperature, keep every
 * value ≥ the k-th largest (ties at the threshold kept), softmax, then the exponential race {@code
 * argmax p_j / E_j} with {@code E_j ~ Exp(1)} from this request's own generator. top-k 1 or
 * temperature 0 is argmax. Not thread-safe; one per request.
 */
public final class Sampler {
    /** Highest temperature accepted (beyond it the distribution is noise). */
    public static final float MAX_TEMPERATURE = 5.0f;

    /** Largest top-k accepted (the audio vocabulary is 2051 codes). */
    public static final int MAX_TOP_K = 2048;

    private final float temperature;
    private final int topK;
    private final SplittableRandom random;

    public Sampler(float temperature, int topK, long seed) {
        checkParams(temperature, topK);
        this.temperature = temperature;
        this.topK = topK;
        this.random = new SplittableRandom(seed);
    }

    /**
     * The one range check of the sampling parameters: temperature in {@code [0, MAX_TEMPERATURE]},
     * top-k in {@code [1, MAX_TOP_K]}; otherwise an {@link IllegalArgumentException} whose message
     * a client can read (it names the request's fields).
     */
    public static void checkParams(float temperature, int topK) {
        if (!(temperature >= 0 && temperature <= MAX_TEMPERATURE)) {
            throw new IllegalArgumentException(
                    "temperature must be between 0 and "
                            + MAX_TEMPERATURE
                            + ", not "
                            + temperature);
        }
        if (topK < 1 || topK > MAX_TOP_K) {
            throw new IllegalArgumentException(
                    "top_k must be between 1 and " + MAX_TOP_K + ", not " + topK);
        }
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
        float threshold = kthLargest(scaled, Math.min(topK, v));
        double max = scaled[argmax(scaled)];
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

    /**
     * The k-th largest value (duplicates counted), as {@code sort(values)[n - k]} but with a
     * k-entry min-heap: O(n log k) instead of sorting all 2051 logits for every code.
     */
    static float kthLargest(float[] values, int k) {
        float[] heap = new float[k]; // min-heap of the k largest so far
        int size = 0;
        for (float x : values) {
            if (size < k) {
                int i = size++;
                while (i > 0 && heap[(i - 1) / 2] > x) {
                    heap[i] = heap[(i - 1) / 2];
                    i = (i - 1) / 2;
                }
                heap[i] = x;
            } else if (x > heap[0]) {
                int i = 0;
                while (true) {
                    int child = 2 * i + 1;
                    if (child >= k) {
                        break;
                    }
                    if (child + 1 < k && heap[child + 1] < heap[child]) {
                        child++;
                    }
                    if (heap[child] >= x) {
                        break;
                    }
                    heap[i] = heap[child];
                    i = child;
                }
                heap[i] = x;
            }
        }
        return heap[0];
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
