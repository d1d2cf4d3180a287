package dev.csmserver.model;

import java.util.SplittableRandom;

/**
 * A request's sampling settings and its seeded noise for the reference {@code sample_topk} (spec
 * 4), which runs on the device ({@link FrameHeads}): logits / temperature, keep every value ≥ the
 * k-th largest (ties at the threshold kept), softmax, then the exponential race {@code argmax p_j /
 * E_j} with {@code E_j ~ Exp(1)}. The noise is this request's own {@link SplittableRandom} stream,
 * {@code -log(1 - nextDouble())} for every entry of every codebook of a frame in order, so a row's
 * codes depend on its seed alone, whatever runs beside it. It is not drawn here: SplitMix64's n-th
 * output is a pure function of the seed and n, so the host hands the device the stream's state
 * before a frame ({@link #frameStream}) and the device computes the draws of the few entries the
 * race can pick (the largest top-k + 64 scaled logits: ties at the threshold are kept up to 64 past
 * the largest top-k of the batch) and no others, with no K·V draws on the host and no upload of
 * them. top-k 1 or temperature 0 is argmax (first index on ties) and draws nothing. Not
 * thread-safe; one per request.
 */
public final class Sampler {
    /** Highest temperature accepted (beyond it the distribution is noise). */
    public static final float MAX_TEMPERATURE = 5.0f;

    /** Largest top-k accepted (the audio vocabulary is 2051 codes). */
    public static final int MAX_TOP_K = 2048;

    private final float temperature;
    private final int topK;

    /** SplitMix64's increment, as {@link SplittableRandom} seeded with a long uses it. */
    private static final long GAMMA = 0x9e3779b97f4a7c15L;

    private final long seed;
    private long drawn; // draws of the request's stream used so far

    public Sampler(float temperature, int topK, long seed) {
        checkParams(temperature, topK);
        this.temperature = temperature;
        this.topK = topK;
        this.seed = seed;
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

    public float temperature() {
        return temperature;
    }

    public int topK() {
        return topK;
    }

    /**
     * The state of this request's stream before its next {@code draws} draws, which it then counts
     * as used: draw {@code i} of them is {@code -log(1 - (mix64(state + i·GAMMA) >>> 11) · 2^-53)},
     * as {@code new SplittableRandom(seed)} would give it ({@code csm_heads.py} computes it at the
     * entries it needs; never below {@code Float.MIN_NORMAL}, so a kept entry's score p / E is
     * finite).
     */
    long frameStream(int draws) {
        long state = seed + (drawn + 1) * GAMMA;
        drawn += draws;
        return state;
    }

    /** The first index of the largest value. */
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
