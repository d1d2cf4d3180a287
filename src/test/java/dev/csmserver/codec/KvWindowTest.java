package dev.csmserver.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/**
 * The window buffer against its definition: after every append, the returned keys and values are
 * exactly the last {@code window} old steps plus the new ones of everything appended so far. The
 * call sizes make the buffer move its tail to the front and grow (a call larger than its slack).
 */
class KvWindowTest {
    private static final int WINDOW = 7;

    @Test
    void returnsTheLastWindowStepsPlusTheNewOnesThroughMovesAndGrowth() {
        int[] calls = {1, 2, 5, 1, 60, 90, 3, KvWindow.SLACK + 40, 2, 2, 1, 130, 1};
        try (NDManager owner = NDManager.newBaseManager();
                NDManager all = NDManager.newBaseManager()) {
            KvWindow window = new KvWindow(owner, WINDOW);
            NDArray keys = null; // every key appended so far, [1, 2, n, 4]
            int step = 0;
            for (int t : calls) {
                try (NDManager call = owner.newSubManager();
                        NDScope scope = new NDScope()) {
                    NDArray k =
                            call.arange(step * 8f, (step + t) * 8f)
                                    .reshape(1, 2, t, 4); // [1, H=2, t, Dh=4]
                    NDArray v = k.neg();
                    int old = window.cachedSteps();
                    assertEquals(
                            Math.min(step, WINDOW), old, "old steps before call at step " + step);
                    NDArray[] seen = window.append(k, v);
                    NDArray kept = keys == null ? k : keys.concat(k, 2);
                    NDArray expected = kept.get(":, :, " + (step - old) + ":, :");
                    assertEquals(new Shape(1, 2, old + t, 4), seen[0].getShape());
                    assertArrayEquals(
                            expected.toFloatArray(),
                            seen[0].toFloatArray(),
                            "keys after step " + step);
                    assertArrayEquals(
                            expected.neg().toFloatArray(),
                            seen[1].toFloatArray(),
                            "values after step " + step);
                    NDArray next = kept.duplicate();
                    NDScope.unregister(next);
                    next.attach(all);
                    if (keys != null) {
                        keys.close();
                    }
                    keys = next;
                }
                step += t;
            }
        }
    }

    @Test
    void aOneShotWindowLivesInTheCallersScope() {
        try (NDManager m = NDManager.newBaseManager()) {
            KvWindow window = new KvWindow(null, WINDOW);
            NDArray[] seen;
            try (NDScope scope = new NDScope()) {
                NDArray k = m.arange(0f, 24f).reshape(1, 1, 6, 4);
                seen = window.append(k, k);
                assertArrayEquals(k.toFloatArray(), seen[0].toFloatArray());
            }
            assertEquals(true, seen[0].isReleased(), "freed with the scope");
        }
    }
}
