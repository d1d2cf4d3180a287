package dev.csmserver.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.pipeline.SamplingParams;
import org.junit.jupiter.api.Test;

/**
 * The reference top-k / temperature sampler: seeded determinism, support, argmax cases,
 * frequencies.
 */
class SamplerTest {
    private static final float[] LOGITS = {0.5f, 3f, -1f, 2.5f, 3f, 0f, 1f};

    @Test
    void sameSeedSameDraws() {
        Sampler a = SamplingParams.seeded(1234).withTopK(4).sampler();
        Sampler b = SamplingParams.seeded(1234).withTopK(4).sampler();
        for (int i = 0; i < 200; i++) {
            assertEquals(a.sample(LOGITS), b.sample(LOGITS));
        }
    }

    @Test
    void drawsStayInTheTopKWithTiesAtTheThresholdKept() {
        // top-2 of {3, 3, 2.5, ...}: the threshold is 3, so only indices 1 and 4 are possible.
        Sampler s = SamplingParams.seeded(7).withTemperature(1f).withTopK(2).sampler();
        boolean[] seen = new boolean[LOGITS.length];
        for (int i = 0; i < 2000; i++) {
            seen[s.sample(LOGITS)] = true;
        }
        assertTrue(seen[1] && seen[4]);
        for (int j : new int[] {0, 2, 3, 5, 6}) {
            assertTrue(!seen[j], "index " + j + " is outside the top-k");
        }
        // Ties AT the threshold are kept even if that is more than k: top-1 of... k=3 keeps 1, 4,
        // 3.
        float[] tied = {1f, 2f, 2f, 2f, 0f};
        Sampler t = SamplingParams.seeded(3).withTemperature(1f).withTopK(2).sampler();
        boolean[] hit = new boolean[tied.length];
        for (int i = 0; i < 3000; i++) {
            hit[t.sample(tied)] = true;
        }
        assertTrue(hit[1] && hit[2] && hit[3] && !hit[0] && !hit[4]);
    }

    @Test
    void frequenciesFollowTheSoftmaxOfTheKeptLogits() {
        float[] logits = {0f, (float) Math.log(3), -5f};
        Sampler s = SamplingParams.seeded(99).withTemperature(1f).withTopK(2).sampler();
        int n = 40_000;
        int ones = 0;
        for (int i = 0; i < n; i++) {
            ones += s.sample(logits) == 1 ? 1 : 0;
        }
        assertEquals(0.75, ones / (double) n, 0.01); // p = 3 / (1 + 3)
    }

    @Test
    void temperatureZeroAndTopOneAreArgmax() {
        assertEquals(
                1,
                SamplingParams.seeded(5)
                        .withTemperature(0f)
                        .sampler()
                        .sample(LOGITS)); // first of the tied maxima
        assertEquals(1, SamplingParams.seeded(5).withTopK(1).sampler().sample(LOGITS));
        assertTrue(Sampler.greedy().isGreedy());
    }

    @Test
    void invalidParametersAreRefused() {
        SamplingParams p = SamplingParams.seeded(0);
        assertThrows(IllegalArgumentException.class, () -> p.withTemperature(-1f));
        assertThrows(IllegalArgumentException.class, () -> p.withTemperature(Float.NaN));
        assertThrows(
                IllegalArgumentException.class,
                () -> p.withTemperature(Math.nextUp(Sampler.MAX_TEMPERATURE)));
        assertThrows(IllegalArgumentException.class, () -> p.withTopK(0));
        assertThrows(IllegalArgumentException.class, () -> p.withTopK(Sampler.MAX_TOP_K + 1));
        assertEquals(
                "top_k must be between 1 and 2048, not 0",
                assertThrows(IllegalArgumentException.class, () -> new Sampler(1f, 0, 0))
                        .getMessage());
        assertEquals(Sampler.MAX_TOP_K, p.withTopK(Sampler.MAX_TOP_K).topK());
        assertEquals(
                Sampler.MAX_TEMPERATURE, p.withTemperature(Sampler.MAX_TEMPERATURE).temperature());
    }

    @Test
    void kthLargestEqualsTheSortedValue() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(300);
            float[] values = new float[n];
            for (int i = 0; i < n; i++) {
                values[i] =
                        r.nextInt(4) == 0 ? r.nextInt(5) : (float) r.nextGaussian(); // with ties
            }
            int k = 1 + r.nextInt(n);
            float[] sorted = values.clone();
            java.util.Arrays.sort(sorted);
            assertEquals(sorted[n - k], Sampler.kthLargest(values, k), "n=" + n + " k=" + k);
        }
    }
}
