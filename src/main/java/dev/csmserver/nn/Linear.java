package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.pytorch.jni.IValue;
import dev.csmserver.weights.FloatSlices;
import dev.csmserver.weights.HostTensor;
import java.util.Arrays;
import java.util.List;

/**
 * Bias-free linear map {@code y = x · Wᵀ} with {@code W [out, in]} (PyTorch orientation, what
 * libtorch's GEMV reads fastest). On the CPU, W is kept as one row block per core and the blocks
 * are multiplied at once ({@link RowParallel}): libtorch runs a GEMV on one core, which leaves half
 * the memory bandwidth of a 2-core machine unused. A few float32 rows are multiplied weight first
 * ({@code W · xᵀ}), which streams W, where addmm first packs it (4 rows cost 1.25x one instead of
 * 3x). Activations stay float32. Float16 weights on the CPU are packed for FBGEMM ({@link
 * FbgemmFp16}), which multiplies them with float32 rows at any row count; where FBGEMM is missing
 * they stay plain float16, the rows are narrowed right before the product and the result widened
 * right after (widening the weights instead is slower: libtorch converts fp16 slowly).
 */
public final class Linear {
    /**
     * Smaller weights stay whole: their products take microseconds to a few hundred, where the
     * hand-off to another core costs about what it saves (Mimi's 512-wide layers measured no
     * faster).
     */
    static final long MIN_SPLIT_ELEMENTS = 2L << 20;

    /** Up to this many rows multiply float32 weights weight first ({@code W · xᵀ}). */
    static final long MAX_FEW_ROWS = 8;

    /**
     * ...and only weights of at least this many elements (256 KB): smaller ones stay in cache,
     * where addmm's packing is cheap and the weight-first product's setup is not (the demo model's
     * decoder steps at batch 4: 36 -> 26 ms per frame). Real-model weights are read from memory on
     * every step, where streaming wins (Mimi's transformer at 2 rows: 7.5 vs 15 ms). {@code W · xᵀ}
     * as a plain matmul measured 2-4% faster per CSM-1B step than the same product as a bmm.
     */
    static final long MIN_STREAMED_ELEMENTS = 64L << 10;

    /**
     * More rows than that multiply float32 weights on the CPU as 1x1 convolutions ({@link
     * #convolution}): CSM-1B's backbone layers at 12 rows 146 ms vs 168 with addmm, at 24 rows 135
     * vs 211, at 200 rows 2.7 vs 4.0 s for the whole prompt.
     */
    static final long MIN_CONV_ROWS = MAX_FEW_ROWS + 1;

    /** The largest kernel chunk one convolution reorders (8 MB: larger chunks measured slower). */
    static final long MAX_CONV_CHUNK_ELEMENTS = 2L << 20;

    private static final NDIndex ALL = new NDIndex().addAllDim();
    private static final Shape UNIT = new Shape(1);
    private static final Shape NO_PADDING = new Shape(0);

    private final NDArray[] blocks; // each [out_b, in], Σ out_b = out; or each packed by fbgemm
    private final IValue[] packedValues; // the packed blocks wrapped once for FBGEMM's op, or null
    private final long in;
    private final long out;
    private final DataType type;
    private final FbgemmFp16 fbgemm; // null: the blocks are plain tensors
    private final RowParallel pool;

    /** Whether many rows run as 1x1 convolutions: {@link ComputePath#CPU_DEFAULT} only. */
    private final boolean convRows;

    private Linear(
            NDArray[] blocks,
            long in,
            long out,
            DataType type,
            FbgemmFp16 fbgemm,
            RowParallel pool,
            boolean convRows) {
        this.convRows = convRows;
        this.blocks = blocks;
        this.in = in;
        this.out = out;
        this.type = type;
        this.fbgemm = fbgemm;
        this.pool = pool;
        this.packedValues =
                fbgemm == null
                        ? null
                        : Arrays.stream(blocks).map(FbgemmFp16::wrap).toArray(IValue[]::new);
    }

    /**
     * Uploads {@code w [out, in]} as {@code type} into {@code manager}, cut per core on the CPU.
     */
    public static Linear load(HostTensor w, NDManager manager, DataType type) {
        return load(w, manager, type, RowParallel.of(manager));
    }

    static Linear load(HostTensor w, NDManager manager, DataType type, RowParallel pool) {
        return load(w, manager, type, pool, MIN_SPLIT_ELEMENTS);
    }

    static Linear load(
            HostTensor w,
            NDManager manager,
            DataType type,
            RowParallel pool,
            long minSplitElements) {
        boolean cpu = ComputePath.of(manager) == ComputePath.CPU_DEFAULT;
        FbgemmFp16 fbgemm =
                cpu && type == DataType.FLOAT16 ? FbgemmFp16.available().orElse(null) : null;
        return load(w, manager, type, pool, minSplitElements, fbgemm);
    }

    /**
     * {@code fbgemm} null keeps float16 weights as plain tensors (what a CPU without FBGEMM gets).
     */
    static Linear load(
            HostTensor w,
            NDManager manager,
            DataType type,
            RowParallel pool,
            long minSplitElements,
            FbgemmFp16 fbgemm) {
        boolean cpu = ComputePath.of(manager) == ComputePath.CPU_DEFAULT;
        boolean split = cpu && w.size() >= minSplitElements;
        int count = split ? (int) Math.min(pool.parallelism(), w.shape()[0]) : 1;
        long out = w.shape()[0];
        long in = w.shape()[1];
        if (fbgemm == null) {
            return new Linear(
                    w.toNdRowBlocks(manager, type, count), in, out, type, null, pool, cpu);
        }
        NDArray[] blocks =
                w.toNdRowBlocks(manager, DataType.FLOAT32, count); // packing reads float32
        for (int i = 0; i < count; i++) {
            NDArray wide = blocks[i];
            blocks[i] = fbgemm.pack(wide);
            wide.close(); // the packed float16 copy is all that stays
        }
        return new Linear(blocks, in, out, DataType.FLOAT16, fbgemm, pool, cpu);
    }

    /** {@code x [..., in]} float32 → {@code [..., out]} float32. */
    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        long rows = shape.size() / in;
        if (fbgemm != null && blocks.length == 1 && fbgemm.batchInvariantRows((int) rows) == rows) {
            // a step's usual product (its rows padded once by the caller): one call, no reshapes
            return fbgemm.linear(x, packedValues[0]); // [..., out]
        }
        NDArray flat = x.reshape(rows, in); // [M, in]
        NDArray y;
        if (fbgemm == null && rows >= MIN_CONV_ROWS && convRows && !x.getDevice().isGpu()) {
            y = convolution(flat);
        } else {
            NDArray[] parts;
            long padded = fbgemm == null ? rows : fbgemm.batchInvariantRows((int) rows);
            if (fbgemm != null) {
                NDArray input =
                        padded == rows
                                ? flat
                                : NDArrays.concat(
                                        new NDList(
                                                flat,
                                                flat.getManager()
                                                        .zeros(new Shape(padded - rows, in))),
                                        0);
                parts =
                        pool.map(
                                blocks.length,
                                i -> fbgemm.linear(input, packedValues[i])); // [M', out_b]
            } else {
                NDArray input = flat.toType(blocks[0].getDataType(), false); // no-op for float32
                parts = pool.map(blocks.length, i -> product(input, blocks[i]));
            }
            y = parts.length == 1 ? parts[0] : NDArrays.concat(new NDList(parts), -1); // [M', out]
            if (padded != rows) {
                y =
                        y.get(
                                new NDIndex()
                                        .addSliceDim(
                                                0, rows)); // [M, out]: the padding rows' results
                // dropped
            }
        }
        long[] dims = shape.getShape().clone();
        dims[dims.length - 1] = y.getShape().get(1);
        return y.reshape(new Shape(dims));
    }

    /**
     * Many rows (a prompt) as float32 1x1 convolutions: libtorch's conv1d runs oneDNN, whose
     * AVX-512 kernels reach about twice the GFLOP/s of MKL's GEMM on AMD CPUs (MKL picks its AVX2
     * code there). oneDNN reorders the kernel on every call, which is cheap while a chunk stays
     * below {@link #MAX_CONV_CHUNK_ELEMENTS} and very slow above (fresh pages for the copy), so
     * each block is multiplied in chunks of rows, one after another, on oneDNN's own threads.
     * Float16 weights are widened chunk by chunk into ONE float32 scratch per call: libtorch's CPU
     * fp16 GEMM is compute-bound (200-row prompt: 9 s, against 2.9 s widened), and a fresh 8 MB
     * array per chunk made glibc return and re-fault its pages (a 12-row prompt in the service took
     * 4-15 s instead of 0.6). {@code x [M, in]} → {@code [M, out]}.
     */
    private NDArray convolution(NDArray x) {
        return Nd.scoped(
                () -> {
                    NDArray channels = x.transpose().expandDims(0); // [1, in, M]
                    long chunk = Math.max(1, MAX_CONV_CHUNK_ELEMENTS / in);
                    long scratchRows =
                            Math.min(
                                    chunk,
                                    Arrays.stream(blocks)
                                            .mapToLong(b -> b.getShape().get(0))
                                            .max()
                                            .orElse(1));
                    NDArray scratch =
                            blocks[0].getDataType() == DataType.FLOAT32
                                    ? null
                                    : x.getManager()
                                            .create(
                                                    new Shape(scratchRows, in),
                                                    DataType.FLOAT32); // [chunk, in], freed with
                    // this call
                    NDList outs = new NDList();
                    for (NDArray w : blocks) {
                        long rows = w.getShape().get(0);
                        for (long from = 0; from < rows; from += chunk) {
                            long at = from;
                            long n = Math.min(rows, at + chunk) - at;
                            outs.add(
                                    Nd.scoped(
                                            () -> {
                                                NDArray kernel =
                                                        n == rows
                                                                ? w
                                                                : w.get(
                                                                        new NDIndex()
                                                                                .addSliceDim(
                                                                                        at,
                                                                                        at
                                                                                                + n)); // [n, in]
                                                if (scratch != null) {
                                                    NDArray wide =
                                                            n == scratchRows
                                                                    ? scratch
                                                                    : scratch.get(
                                                                            new NDIndex()
                                                                                    .addSliceDim(
                                                                                            0, n));
                                                    wide.set(ALL, kernel); // widens in place
                                                    kernel = wide;
                                                }
                                                return Conv1d.conv1d(
                                                                channels,
                                                                kernel.expandDims(2),
                                                                null,
                                                                UNIT,
                                                                NO_PADDING,
                                                                UNIT,
                                                                1)
                                                        .singletonOrThrow(); // [1, n, M]
                                            }));
                        }
                    }
                    NDArray y =
                            outs.size() == 1
                                    ? outs.get(0)
                                    : NDArrays.concat(outs, 1); // [1, out, M]
                    return y.squeeze(0).transpose(); // [M, out]
                });
    }

    /** {@code x [M, in]}, a block {@code w [out_b, in]} → {@code [M, out_b]} float32. */
    private static NDArray product(NDArray x, NDArray w) {
        long rows = x.getShape().get(0);
        if (w.getDataType() == DataType.FLOAT32
                && rows > 1
                && rows <= MAX_FEW_ROWS
                && w.size() >= MIN_STREAMED_ELEMENTS) {
            // libtorch's addmm packs W for a few rows (4 rows cost 3x one); W · xᵀ streams it
            return w.matMul(x.transpose()).transpose(); // [out_b, M] → [M, out_b]
        }
        NDArray y = ai.djl.nn.core.Linear.linear(x, w).head();
        return y.getDataType() == DataType.FLOAT32 ? y : y.toType(DataType.FLOAT32, false);
    }

    /**
     * The row count to run for {@code rows} rows so that each row's bits do not depend on what runs
     * beside it ({@link RowBlocks}): a caller that pads its rows once (zero rows, dropped at the
     * end) spares every product the per-call padding; {@code rows} itself where no padding is
     * needed (plain weights).
     */
    public int batchInvariantRows(int rows) {
        return fbgemm == null ? rows : fbgemm.batchInvariantRows(rows);
    }

    /** The manager holding the weights (for constants made once beside them). */
    NDManager manager() {
        return blocks[0].getManager();
    }

    public long outFeatures() {
        return out;
    }

    /** Row blocks the weight is kept in. */
    int blocks() {
        return blocks.length;
    }

    public long inFeatures() {
        return in;
    }

    public DataType weightType() {
        return type;
    }

    /** Whether the float16 weights are packed for FBGEMM. */
    public boolean packed() {
        return fbgemm != null;
    }

    /** Whether many rows run as 1x1 convolutions (the CPU default path). */
    public boolean convolvesManyRows() {
        return convRows;
    }

    /**
     * The weight as held, its row blocks in order ({@code [out_b, in]}, or packed for FBGEMM), for
     * a scripted module that runs this same product itself ({@code csm_heads.py}).
     */
    public List<NDArray> rowBlocks() {
        return List.of(blocks);
    }

    /**
     * Stacks {@code [out_i, in]} weights into one {@code [Σ out_i, in]} (fused QKV, fused w1|w3).
     */
    public static HostTensor fuseRows(HostTensor... parts) {
        long in = parts[0].shape()[1];
        long rows = 0;
        for (HostTensor p : parts) {
            if (p.shape().length != 2 || p.shape()[1] != in) {
                throw new IllegalArgumentException(
                        "cannot fuse " + Arrays.toString(p.shape()) + " rows of width " + in);
            }
            rows += p.shape()[0];
        }
        long total = rows;
        return new HostTensor(
                new long[] {total, in},
                () -> {
                    float[] out = new float[Math.toIntExact(total * in)];
                    int at = 0;
                    for (HostTensor p : parts) {
                        float[] d = p.data();
                        System.arraycopy(d, 0, out, at, d.length);
                        at += d.length;
                    }
                    return out;
                },
                FloatSlices.concat(parts));
    }
}
