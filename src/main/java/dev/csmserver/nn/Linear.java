package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.csmserver.weights.HostTensor;
import java.util.Arrays;

/**
 * Bias-free linear map {@code y = x · Wᵀ} with {@code W [out, in]} (PyTorch orientation, what
 * libtorch's GEMV reads fastest). With float16 weights the float32 activation is narrowed right
 * before the product and the result widened right after, so norms and residuals stay float32.
 */
public final class Linear {
    /**
     * From this many rows on (a prompt prefill), a float16 weight is widened for the one product:
     * libtorch's CPU float16 GEMM is compute-bound and far slower than float32 for many rows, while
     * widening costs one pass over the weight. Below it (frame steps) the float16 GEMV is as fast.
     */
    static final long WIDEN_ROWS = 16;

    private Linear() {}

    /** {@code x [..., in]} float32, {@code w [out, in]} float32/16 → {@code [..., out]} float32. */
    public static NDArray apply(NDArray x, NDArray w) {
        if (w.getDataType() == DataType.FLOAT16) {
            long[] shape = x.getShape().getShape();
            if (x.getShape().size() / shape[shape.length - 1] >= WIDEN_ROWS) {
                try (NDArray wide = w.toType(DataType.FLOAT32, false)) { // freed now, not at scope end
                    return ai.djl.nn.core.Linear.linear(x, wide).head();
                }
            }
            NDArray h = x.toType(DataType.FLOAT16, false);
            return ai.djl.nn.core.Linear.linear(h, w).head().toType(DataType.FLOAT32, false);
        }
        return ai.djl.nn.core.Linear.linear(x, w).head();
    }

    /** Stacks {@code [out_i, in]} weights into one {@code [Σ out_i, in]} (fused QKV, fused w1|w3). */
    public static HostTensor fuseRows(HostTensor... parts) {
        long in = parts[0].shape()[1];
        long rows = 0;
        for (HostTensor p : parts) {
            if (p.shape().length != 2 || p.shape()[1] != in) {
                throw new IllegalArgumentException("cannot fuse " + Arrays.toString(p.shape()) + " rows of width " + in);
            }
            rows += p.shape()[0];
        }
        long total = rows;
        return new HostTensor(new long[] {total, in}, () -> {
            float[] out = new float[Math.toIntExact(total * in)];
            int at = 0;
            for (HostTensor p : parts) {
                float[] d = p.data();
                System.arraycopy(d, 0, out, at, d.length);
                at += d.length;
            }
            return out;
        });
    }
}
