package dev.csmserver.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.csmserver.nn.Linear;
import dev.csmserver.pipeline.DjlRuntime;
import dev.csmserver.weights.HostTensor;

/**
 * ms per [M, 2048] x [8192, 2048]ᵀ product over 16 distinct weights (DRAM bound), fp32 and fp16.
 * Prints only.
 */
public final class GemvBench {
    private GemvBench() {}

    public static void main(String[] args) {
        DjlRuntime.init();
        try (NDManager m = NDManager.newBaseManager()) {
            for (DataType t : new DataType[] {DataType.FLOAT32, DataType.FLOAT16}) {
                Linear[] w = new Linear[16];
                for (int i = 0; i < w.length; i++) {
                    w[i] =
                            Linear.load(
                                    HostTensor.of(
                                            m.randomUniform(-1, 1, new Shape(8192, 2048))
                                                    .toFloatArray(),
                                            8192,
                                            2048),
                                    m,
                                    t);
                }
                for (int rows : new int[] {1, 2, 4, 8, 200}) {
                    NDArray x = m.randomUniform(-1, 1, new Shape(1, rows, 2048));
                    int reps = rows == 200 ? 1 : 3;
                    long t0 = 0;
                    for (int r = 0; r <= reps; r++) {
                        if (r == 1) {
                            t0 = System.nanoTime();
                        }
                        try (NDScope s = new NDScope()) {
                            for (Linear wi : w) {
                                wi.forward(x).toFloatArray();
                            }
                        }
                    }
                    System.out.printf(
                            "%s M=%d: %.2f ms per matrix%n",
                            t, rows, (System.nanoTime() - t0) / 1e6 / reps / w.length);
                }
            }
        }
    }
}
