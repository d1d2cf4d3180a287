package dev.csmserver.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.csmserver.pipeline.DjlRuntime;
import org.junit.jupiter.api.Test;

class NdTest {
    @Test
    void keptArraysSurviveTheScopeAndTemporariesDoNot() {
        DjlRuntime.init();
        try (NDManager owner = NDManager.newBaseManager()) {
            NDArray kept;
            NDArray temp;
            try (NDScope scope = new NDScope()) {
                NDArray a = owner.create(new float[] {1, 2, 3});
                temp = a.mul(2);
                kept = Nd.keep(temp.add(1), owner);
            }
            assertEquals(15f, kept.sum().getFloat());
            assertThrows(IllegalStateException.class, temp::toFloatArray);
        }
    }

    @Test
    void checkShapeNamesTheMismatch() {
        DjlRuntime.init();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.zeros(new ai.djl.ndarray.types.Shape(2, 3));
            Nd.checkShape("a", a, -1, 3);
            var e = assertThrows(IllegalArgumentException.class, () -> Nd.checkShape("a", a, 2, 4));
            assertEquals("a has shape [2, 3], expected [2, 4]", e.getMessage());
        }
    }

    @Test
    void scopedFreesTheStepsTemporariesAndHandsTheResultToTheCallersScope() {
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            ai.djl.ndarray.NDArray x = m.ones(new ai.djl.ndarray.types.Shape(3));
            ai.djl.ndarray.NDArray[] temp = new ai.djl.ndarray.NDArray[1];
            ai.djl.ndarray.NDArray y;
            try (ai.djl.ndarray.NDScope outer = new ai.djl.ndarray.NDScope()) {
                y =
                        Nd.scoped(
                                () -> {
                                    temp[0] = x.mul(2);
                                    return temp[0].add(1);
                                });
                org.junit.jupiter.api.Assertions.assertTrue(
                        temp[0].isReleased(), "temporary freed at once");
                org.junit.jupiter.api.Assertions.assertArrayEquals(
                        new float[] {3, 3, 3}, y.toFloatArray());
            }
            org.junit.jupiter.api.Assertions.assertTrue(
                    y.isReleased(), "result freed with the caller's scope");
            org.junit.jupiter.api.Assertions.assertFalse(x.isReleased());
        }
    }
}
