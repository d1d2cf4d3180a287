package dev.csmserver.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
                draws(new Sampler(0.9f, 4, 1234), LOGITS, 200),
                draws(new Sampler(0.9f, 4, 1234), LOGITS, 200));
    }

    @Test
    void aRowsDrawDependsOnItsSeedNotOnTheRowsBesideIt() {
        long alone = draws(new Sampler(1f, 7, 42), LOGITS, 1)[0];
        for (int trial = 0; trial < 20; trial++) {
            try (NDManager m = manager.newSubManager()) {
                List<Sampler> samplers = new ArrayList<>();
                float[] rows = new float[3 * LOGITS.length];
                for (int r = 0; r < 3; r++) {
                    System.arraycopy(LOGITS, 0, rows, r * LOGITS.length, LOGITS.length);
                    samplers.add(
                            r == 1 ? new Sampler(1f, 7, 42) : new Sampler(1.3f, 3, 1000 + trial));
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
        for (long c : draws(new Sampler(1f, 2, 7), LOGITS, 2000)) {
            seen[(int) c] = true;
        }
        assertTrue(seen[1] && seen[4]);
        for (int j : new int[] {0, 2, 3, 5, 6}) {
            assertTrue(!seen[j], "index " + j + " is outside the top-k");
        }
        // Ties AT the threshold are kept even if that is more than k: top-2 of {2, 2, 2} keeps 3.
        float[] tied = {1f, 2f, 2f, 2f, 0f};
        boolean[] hit = new boolean[tied.length];
        for (long c : draws(new Sampler(1f, 2, 3), tied, 3000)) {
            hit[(int) c] = true;
        }
        assertTrue(hit[1] && hit[2] && hit[3] && !hit[0] && !hit[4]);
    }

    @Test
    void frequenciesFollowTheSoftmaxOfTheKeptLogits() {
        float[] logits = {0f, (float) Math.log(3), -5f};
        int n = 40_000;
        int ones = 0;
        for (long c : draws(new Sampler(1f, 2, 99), logits, n)) {
            ones += c == 1 ? 1 : 0;
        }
        assertEquals(0.75, ones / (double) n, 0.01); // p = 3 / (1 + 3)
    }

    @Test
    void temperatureScalesTheLogitsBeforeTheSoftmax() {
        float[] logits = {0f, (float) Math.log(3), -5f};
        int n = 40_000;
        int ones = 0;
        for (long c : draws(new Sampler(2f, 2, 5), logits, n)) {
            ones += c == 1 ? 1 : 0;
        }
        double p = Math.sqrt(3) / (1 + Math.sqrt(3)); // softmax of logits / 2
        assertEquals(p, ones / (double) n, 0.01);
    }

    @Test
    void temperatureZeroAndTopOneAreArgmax() {
        assertEquals(1, draws(new Sampler(0f, 50, 5), LOGITS, 1)[0]); // first of the tied maxima
        assertEquals(1, draws(new Sampler(0.9f, 1, 5), LOGITS, 1)[0]);
        assertTrue(Sampler.greedy().isGreedy());
    }

    @Test
    void invalidParametersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Sampler(-1f, 5, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sampler(1f, 0, 0));
    }
}
