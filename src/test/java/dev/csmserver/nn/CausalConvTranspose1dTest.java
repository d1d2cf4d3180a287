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
                float[] full =
                        conv.forward(x)
                                .get(new NDIndex(":, :, 0:" + shortT * stride))
                                .toFloatArray();
                float[] prefix =
                        conv.forward(x.get(new NDIndex(":, :, 0:" + shortT))).toFloatArray();
                assertArrayEquals(full, prefix, 1e-4f, "groups " + groups);
            }
        }
    }

    @Test
    void largeMatrixOnlyKernelMatchesTheDefinition() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(5);
            int stride = 4;
            int cin = 256;
            int cout = 512; // 256 * 512 * 8 = 1M weights: kept only as a matrix
            NDArray w = m.randomNormal(new Shape(cin, cout, 2L * stride)).mul(0.05);
            NDArray b = m.randomNormal(new Shape(cout));
            int t = 3;
            NDArray x = m.randomNormal(new Shape(1, cin, t));
            float[] wf = w.toFloatArray();
            float[] bf = b.toFloatArray();
            float[] xf = x.toFloatArray();
            CausalConvTranspose1d conv = new CausalConvTranspose1d(w, b, stride, 1);
            float[] actual = conv.forward(x).toFloatArray();
            float[] expected = new float[cout * t * stride];
            int k = 2 * stride;
            for (int o = 0; o < cout; o++) {
                for (int n = 0; n < t * stride; n++) {
                    double sum = bf[o];
                    for (int r = 0; r < 2; r++) {
                        int f = n / stride - r;
                        for (int c = 0; f >= 0 && c < cin; c++) {
                            sum += wf[(c * cout + o) * k + r * stride + n % stride] * xf[c * t + f];
                        }
                    }
                    expected[o * t * stride + n] = (float) sum;
                }
            }
            assertArrayEquals(expected, actual, 1e-3f);
        }
    }
}
