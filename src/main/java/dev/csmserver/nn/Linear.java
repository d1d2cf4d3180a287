package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.csmserver.weights.FloatSlices;
import dev.csmserver.weights.HostTensor;
import java.util.Arrays;

/**
 * Bias-free linear map {@code y = x · Wᵀ} with {@code W [out, in]} (PyTorch orientation, what
 * libtorch's GEMV reads fastest). On the CPU, W is kept as one row block per core and the blocks
 * are multiplied at once ({@link RowParallel}): libtorch runs a GEMV on one core, which leaves half
 * the memory bandwidth of a 2-core machine unused. A few float32 rows go through bmm, which
 * streams W, where addmm first packs it (4 rows cost 1.25x one instead of 3x). Activations stay
 * float32; with float16 weights they are narrowed right before the product and the result widened
 * right after (widening the weights instead is slower: libtorch converts fp16 to fp32 slowly).
 */
public final class Linear {
    /**
     * Smaller weights stay whole: they sit in cache, where a product takes microseconds and the
     * hand-off to another core would cost more than it saves (Mimi's 512-wide layers).
     */
    static final long MIN_SPLIT_ELEMENTS = 2L << 20;
    /** Up to this many rows multiply float32 weights with bmm. */
    static final long MAX_BMM_ROWS = 8;

    private final NDArray[] blocks; // each [out_b, in], Σ out_b = out
    private final long in;
    private final RowParallel pool;

    private Linear(NDArray[] blocks, RowParallel pool) {
        this.blocks = blocks;
        this.in = blocks[0].getShape().get(1);
        this.pool = pool;
    }

    /** Uploads {@code w [out, in]} as {@code type} into {@code manager}, cut per core on the CPU. */
    public static Linear load(HostTensor w, NDManager manager, DataType type) {
        return load(w, manager, type, RowParallel.common());
    }

    static Linear load(HostTensor w, NDManager manager, DataType type, RowParallel pool) {
        return load(w, manager, type, pool, MIN_SPLIT_ELEMENTS);
    }

    static Linear load(HostTensor w, NDManager manager, DataType type, RowParallel pool, long minSplitElements) {
        boolean split = !manager.getDevice().isGpu() && w.size() >= minSplitElements;
        int blocks = split ? (int) Math.min(pool.parallelism(), w.shape()[0]) : 1;
        return new Linear(w.toNdRowBlocks(manager, type, blocks), pool);
    }

    /** {@code x [..., in]} float32 → {@code [..., out]} float32. */
    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        long rows = shape.size() / in;
        NDArray flat = x.reshape(rows, in); // [M, in]
        NDArray input = flat.toType(blocks[0].getDataType(), false); // no-op for float32
        NDArray[] parts = pool.map(blocks.length, i -> product(input, blocks[i]));
        NDArray y = parts.length == 1 ? parts[0] : NDArrays.concat(new NDList(parts), -1); // [M, out]
        long[] dims = shape.getShape().clone();
        dims[dims.length - 1] = y.getShape().get(1);
        return y.reshape(new Shape(dims));
    }

    /** {@code x [M, in]}, a block {@code w [out_b, in]} → {@code [M, out_b]} float32. */
    private static NDArray product(NDArray x, NDArray w) {
        long rows = x.getShape().get(0);
        if (w.getDataType() == DataType.FLOAT32 && rows > 1 && rows <= MAX_BMM_ROWS) {
            // libtorch's addmm packs W for a few rows (4 rows cost 3x one); bmm streams it (1.25x)
            return w.expandDims(0).batchMatMul(x.transpose().expandDims(0)).squeeze(0).transpose();
        }
        NDArray y = ai.djl.nn.core.Linear.linear(x, w).head();
        return y.getDataType() == DataType.FLOAT32 ? y : y.toType(DataType.FLOAT32, false);
    }

    public long outFeatures() {
        return Arrays.stream(blocks).mapToLong(b -> b.getShape().get(0)).sum();
    }

    /** Row blocks the weight is kept in. */
    int blocks() {
        return blocks.length;
    }

    public long inFeatures() {
        return in;
    }

    public DataType weightType() {
        return blocks[0].getDataType();
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
        }, FloatSlices.concat(parts));
    }
}
