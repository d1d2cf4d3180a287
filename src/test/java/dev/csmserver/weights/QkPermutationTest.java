package dev.csmserver.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The HF rotate-half row order maps back to torchtune's interleaved pairs. */
class QkPermutationTest {
    @Test
    void undoesTheTransformersRowOrder() {
        // Two heads of D = 4, rows of width 1. Interleaved rows o0..o3 per head; HF stores (o0, o2,
        // o1, o3).
        float[] hf = {0, 2, 1, 3, 10, 12, 11, 13};
        float[] back = QkPermutation.toInterleaved(HostTensor.of(hf, 8, 1), 4).data();
        assertArrayEquals(new float[] {0, 1, 2, 3, 10, 11, 12, 13}, back);
    }

    @Test
    void movesWholeRows() {
        float[] hf = {1, 1, 3, 3, 2, 2, 4, 4};
        float[] back = QkPermutation.toInterleaved(HostTensor.of(hf, 4, 2), 4).data();
        assertArrayEquals(new float[] {1, 1, 2, 2, 3, 3, 4, 4}, back);
    }

    @Test
    void refusesRowsThatAreNotWholeHeads() {
        assertThrows(
                WeightsException.class,
                () -> QkPermutation.toInterleaved(HostTensor.of(new float[6], 6, 1), 4));
    }
}
