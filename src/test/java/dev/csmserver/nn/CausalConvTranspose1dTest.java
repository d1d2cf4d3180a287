package dev.csmserver.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/**
 * The few-step product path (streamed frames) and libtorch's conv1d path (long inputs) compute the
 * same causal transposed conv: a short input's output is the prefix of a long input's output.
 */
class CausalConvTranspose1dTest {
    @Test
    void productPathEqualsConvPathForDenseAndDepthwiseKernels() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(11);
            int stride = 3;
            for (int groups : new int[] {1, 4}) {
                long cin = 4;
                long outPerGroup = groups == 1 ? 5 : 1;
                NDArray w = m.randomNormal(new Shape(cin, outPerGroup, 2L * stride));
                NDArray b = m.randomNormal(new Shape(outPerGroup * groups));
                CausalConvTranspose1d conv = new CausalConvTranspose1d(w, b, stride, groups);
                long longT = CausalConvTranspose1d.MAX_MATMUL_STEPS + 9;
                NDArray x = m.randomNormal(new Shape(2, cin, longT));
                long shortT = 5;
                float[] full = conv.forward(x).get(new NDIndex(":, :, 0:" + shortT * stride)).toFloatArray();
                float[] prefix = conv.forward(x.get(new NDIndex(":, :, 0:" + shortT))).toFloatArray();
                assertArrayEquals(full, prefix, 1e-4f, "groups " + groups);
            }
        }
    }
}
