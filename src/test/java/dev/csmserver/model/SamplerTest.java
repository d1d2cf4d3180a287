package dev.csmserver.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.csmserver.pipeline.SamplingParams;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reference top-k / temperature sampler as it runs on the device (the scripted heads' {@code
 * pick}) with each request's seeded noise: determinism, support, argmax cases, frequencies, and a
 * row's draw independent of the rows beside it.
 */
class SamplerTest {
    private static final float[] LOGITS = {0.5f, 3f, -1f, 2.5f, 3f, 0f, 1f};
    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** {@code n} draws from {@code logits} by {@code s}, as one batch of n rows on the device. */
    private static long[] draws(Sampler s, float[] logits, int n) {
        try (NDManager m = manager.newSubManager()) {
            float[] rows = new float[n * logits.length];
            for (int i = 0; i < n; i++) {
                System.arraycopy(logits, 0, rows, i * logits.length, logits.length);
            }
            return FrameHeads.sample(
                    m.create(rows, new Shape(n, logits.length)), Collections.nCopies(n, s));
        }
    }

    @Test
    void sameSeedSameDraws() {
        assertArrayEquals(
                draws(
                        SamplingParams.seeded(1234).withTemperature(0.9f).withTopK(4).sampler(),
                        LOGITS,
                        200),
                draws(
                        SamplingParams.seeded(1234).withTemperature(0.9f).withTopK(4).sampler(),
                        LOGITS,
                        200));
    }

    @Test
    void theDeviceRacesTheRequestsOwnSplittableRandomDraws() {
        // Every entry kept (top-k = V): the device's pick of row r must be the host's race
        // argmax_j p_j / E_j with E_j = -log(1 - u) from new SplittableRandom(seed), entry j of row
        // r being draw r V + j of that stream (one sampler's rows take successive frames' draws).
        float[] logits = {0.3f, -1.2f, 2.0f, 0.9f, 1.7f, -0.4f, 1.1f};
        int v = logits.length;
        int n = 300;
        long[] device =
                draws(
                        SamplingParams.seeded(2024).withTemperature(1f).withTopK(v).sampler(),
                        logits,
                        n);
        SplittableRandom stream = new SplittableRandom(2024);
        for (int r = 0; r < n; r++) {
            int best = 0;
            double bestScore = -1;
            for (int j = 0; j < v; j++) {
                double score = Math.exp(logits[j]) / -Math.log(1.0 - stream.nextDouble());
                if (score > bestScore) {
                    bestScore = score;
                    best = j;
                }
            }
            assertEquals(best, device[r], "row " + r);
        }
    }

    @Test
    void aRowsDrawDependsOnItsSeedNotOnTheRowsBesideIt() {
        long alone =
                draws(
                        SamplingParams.seeded(42).withTemperature(1f).withTopK(7).sampler(),
                        LOGITS,
                        1)[0];
        for (int trial = 0; trial < 20; trial++) {
            try (NDManager m = manager.newSubManager()) {
                List<Sampler> samplers = new ArrayList<>();
                float[] rows = new float[3 * LOGITS.length];
                for (int r = 0; r < 3; r++) {
                    System.arraycopy(LOGITS, 0, rows, r * LOGITS.length, LOGITS.length);
                    samplers.add(
                            r == 1
                                    ? SamplingParams.seeded(42)
                                            .withTemperature(1f)
                                            .withTopK(7)
                                            .sampler()
                                    : SamplingParams.seeded(1000 + trial)
                                            .withTemperature(1.3f)
                                            .withTopK(3)
                                            .sampler());
                }
                long[] got =
                        FrameHeads.sample(m.create(rows, new Shape(3, LOGITS.length)), samplers);
                assertEquals(alone, got[1], "trial " + trial);
            }
        }
    }

    @Test
    void drawsStayInTheTopKWithTiesAtTheThresholdKept() {
        // top-2 of {3, 3, 2.5, ...}: the threshold is 3, so only indices 1 and 4 are possible.
        boolean[] seen = new boolean[LOGITS.length];
        for (long c :
                draws(
                        SamplingParams.seeded(7).withTemperature(1f).withTopK(2).sampler(),
                        LOGITS,
                        2000)) {
            seen[(int) c] = true;
        }
        assertTrue(seen[1] && seen[4]);
        for (int j : new int[] {0, 2, 3, 5, 6}) {
            assertTrue(!seen[j], "index " + j + " is outside the top-k");
        }
        // Ties AT the threshold are kept even if that is more than k: top-2 of {2, 2, 2} keeps 3.
        float[] tied = {1f, 2f, 2f, 2f, 0f};
        boolean[] hit = new boolean[tied.length];
        for (long c :
                draws(
                        SamplingParams.seeded(3).withTemperature(1f).withTopK(2).sampler(),
                        tied,
                        3000)) {
            hit[(int) c] = true;
        }
        assertTrue(hit[1] && hit[2] && hit[3] && !hit[0] && !hit[4]);
    }

    @Test
    void frequenciesFollowTheSoftmaxOfTheKeptLogits() {
        float[] logits = {0f, (float) Math.log(3), -5f};
        int n = 40_000;
        int ones = 0;
        for (long c :
                draws(
                        SamplingParams.seeded(99).withTemperature(1f).withTopK(2).sampler(),
                        logits,
                        n)) {
            ones += c == 1 ? 1 : 0;
        }
        assertEquals(0.75, ones / (double) n, 0.01); // p = 3 / (1 + 3)
    }

    @Test
    void temperatureScalesTheLogitsBeforeTheSoftmax() {
        float[] logits = {0f, (float) Math.log(3), -5f};
        int n = 40_000;
        int ones = 0;
        for (long c :
                draws(
                        SamplingParams.seeded(5).withTemperature(2f).withTopK(2).sampler(),
                        logits,
                        n)) {
            ones += c == 1 ? 1 : 0;
        }
        double p = Math.sqrt(3) / (1 + Math.sqrt(3)); // softmax of logits / 2
        assertEquals(p, ones / (double) n, 0.01);
    }

    @Test
    void temperatureZeroAndTopOneAreArgmax() {
        assertEquals(
                1,
                draws(
                        SamplingParams.seeded(5).withTemperature(0f).withTopK(50).sampler(),
                        LOGITS,
                        1)[0]); // first of the tied maxima
        assertEquals(
                1,
                draws(
                        SamplingParams.seeded(5).withTemperature(0.9f).withTopK(1).sampler(),
                        LOGITS,
                        1)[0]);
        assertTrue(Sampler.greedy().isGreedy());
    }

    @Test
    void invalidParametersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Sampler(-1f, 5, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sampler(1f, 0, 0));
    }
}
