package dev.csmserver.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.csmserver.weights.HostTensor;
import org.junit.jupiter.api.Test;

/** Each weights manager takes the row pool its pipeline attached, not a process-wide setting. */
class RowParallelAttachTest {
    @Test
    void aPoolAttachedToAWeightsManagerServesItAndItsSubManagers() {
        try (NDManager a = NDManager.newBaseManager();
                NDManager b = NDManager.newBaseManager();
                RowParallel one = RowParallel.create(1);
                RowParallel three = RowParallel.create(3)) {
            RowParallel.attach(a, one);
            RowParallel.attach(b, three);
            try (NDManager sub = a.newSubManager()) {
                assertSame(one, RowParallel.of(sub));
            }
            assertSame(three, RowParallel.of(b));
            assertEquals(1, RowParallel.of(a).parallelism());
            assertEquals(3, RowParallel.of(b).parallelism());
        }
    }

    @Test
    void anUnattachedManagerTakesTheDefaultPoolOfTheProcessors() {
        try (NDManager plain = NDManager.newBaseManager();
                NDManager attached = NDManager.newBaseManager();
                RowParallel two = RowParallel.create(2)) {
            RowParallel.attach(attached, two);
            RowParallel fallback = RowParallel.of(plain);
            assertEquals(
                    Math.max(1, Runtime.getRuntime().availableProcessors()),
                    fallback.parallelism());
            assertNotSame(two, fallback);
        }
    }

    @Test
    void aLinearLoadedIntoAnAttachedManagerMultipliesCorrectly() {
        try (NDManager m = NDManager.newBaseManager();
                RowParallel two = RowParallel.create(2)) {
            RowParallel.attach(m, two);
            float[] w = new float[64 * 8];
            for (int i = 0; i < w.length; i++) {
                w[i] = (i % 7) - 3;
            }
            Linear linear = Linear.load(HostTensor.of(w, 64, 8), m, DataType.FLOAT32);
            float[] x = {1, 0, 0, 0, 0, 0, 0, 0};
            float[] y = linear.forward(m.create(x).reshape(1, 8)).toFloatArray(); // [1, 64]
            for (int r = 0; r < 64; r++) {
                assertEquals(w[r * 8], y[r], 0f, "row " + r);
            }
        }
    }
}
