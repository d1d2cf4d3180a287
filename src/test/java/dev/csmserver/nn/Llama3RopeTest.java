package dev.csmserver.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/**
 * torchtune's Llama-3 scaled RoPE: which frequencies are kept, smoothed or divided; pair rotation.
 */
class Llama3RopeTest {
    private static final RopeScaling CSM = RopeScaling.llama3(500_000);

    @Test
    void backboneFrequenciesFollowTheSpecTable() {
        float[] f = Llama3Rope.frequencies(CSM, 64);
        for (int i = 0; i < 32; i++) {
            float theta = (float) (1.0 / Math.pow(500_000, (2.0 * i) / 64));
            if (i <= 14) {
                assertEquals(theta, f[i], theta * 1e-6, "kept " + i);
            } else if (i >= 18) {
                assertEquals(theta / 32, f[i], theta * 1e-6, "divided " + i);
            } else {
                float s = (float) ((8192 / (2 * Math.PI / theta) - 1) / 3);
                assertEquals((1 - s) * theta / 32 + s * theta, f[i], theta * 1e-5, "smoothed " + i);
            }
        }
    }

    @Test
    void transformersScalingGivesTheSameFrequencies() {
        RopeScaling hf = RopeScaling.fromTransformers(500_000, 32, 0.125, 0.5, 1024);
        assertArrayEquals(Llama3Rope.frequencies(CSM, 64), Llama3Rope.frequencies(hf, 64));
        RopeScaling hfDecoder =
                RopeScaling.fromTransformers(500_000, 32, 0.001953125, 0.0078125, 16);
        assertArrayEquals(Llama3Rope.frequencies(CSM, 128), Llama3Rope.frequencies(hfDecoder, 128));
    }

    @Test
    void rotatesInterleavedPairs() {
        try (NDManager m = NDManager.newBaseManager()) {
            Llama3Rope rope = Llama3Rope.create(m, CSM, 4, 8);
            float[] f = Llama3Rope.frequencies(CSM, 4);
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 1, 4));
            float[] y = rope.apply(x, rope.tables(new long[] {5}, 1, 1)).toFloatArray();
            for (int i = 0; i < 2; i++) {
                double c = Math.cos(5f * f[i]);
                double s = Math.sin(5f * f[i]);
                float x0 = 2 * i + 1;
                float x1 = 2 * i + 2;
                assertEquals(x0 * c - x1 * s, y[2 * i], 1e-5);
                assertEquals(x1 * c + x0 * s, y[2 * i + 1], 1e-5);
            }
        }
    }
}
