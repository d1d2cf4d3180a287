package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * A causal transposed 1-D convolution (moshi {@code StreamingConvTranspose1d}, trim right ratio 1):
 * {@code T} input steps give exactly the first {@code T * stride} samples of the full transposed
 * conv. DJL has no transposed conv; with {@code k = m * stride} (true for every Mimi layer) output
 * frame f (stride samples) is {@code sum_r W_r^T x[f - r]} over the {@code m} kernel blocks, which
 * is an ordinary causal conv1d of kernel {@code m} from {@code Cin} to {@code Cout * stride}
 * channels followed by an interleave. Streaming state is therefore the last {@code m - 1} input
 * steps, as for {@link CausalConv1d}; zeros before the first step give the offline result.
 */
public final class CausalConvTranspose1d {
    /**
     * Up to this many input steps per call use {@link #product}, more use libtorch's conv1d (a
     * large kernel, kept only as a matrix, always uses the product).
     */
    static final long MAX_MATMUL_STEPS = 16;

    private final NDArray kernel; // [Cout * stride, Cin / groups, m], channel o * stride + j
    private final NDArray bias; // [Cout * stride] or null

    /**
     * groups 1: the kernel as one matrix {@code [1, Cout * stride, m * Cin]}, column i * Cin + c.
     */
    private final NDArray matrix;

    private final NDArray biasColumn; // [Cout * stride, 1] or null
    private final int stride;
    private final int blocks;
    private final int groups;
    private final long inChannels;
    private final long outChannels;
    private final Shape one = new Shape(1);
    private final Shape zero = new Shape(0);
    private final boolean perRow; // conv1d per batch row ({@link CausalConv1d#convRows})

    /**
     * @param weight PyTorch layout {@code [Cin, Cout / groups, k]}, {@code k % stride == 0}; closed
     *     here (only rearranged copies are kept)
     * @param groups 1, or Cin (= Cout, depthwise)
     */
    public CausalConvTranspose1d(NDArray weight, NDArray bias, int stride, int groups) {
        Nd.checkShape("convtr weight", weight, -1, -1, -1);
        inChannels = weight.getShape().get(0);
        long outPerGroup = weight.getShape().get(1);
        int k = (int) weight.getShape().get(2);
        if (k % stride != 0) {
            throw new IllegalArgumentException(
                    "transposed conv needs k % stride == 0, got k " + k + ", stride " + stride);
        }
        if (groups != 1 && !(groups == inChannels && outPerGroup == 1)) {
            throw new IllegalArgumentException(
                    "transposed conv supports groups 1 or depthwise, got " + groups);
        }
        this.stride = stride;
        this.blocks = k / stride;
        this.groups = groups;
        this.outChannels = outPerGroup * groups;
        NDManager owner = weight.getManager();
        this.perRow = ComputePath.of(owner) == ComputePath.CPU_DEFAULT;
        NDArray rearranged = rearrange(weight, groups);
        weight.close(); // only the rearranged forms are used
        this.bias =
                bias == null
                        ? null
                        : bias.reshape(outChannels, 1)
                                .repeat(1, stride)
                                .reshape(outChannels * stride);
        this.biasColumn = this.bias == null ? null : this.bias.reshape(outChannels * stride, 1);
        NDArray m =
                groups == 1
                        ? rearranged
                                .transpose(0, 2, 1)
                                .reshape(1, outChannels * stride, blocks * inChannels)
                        : null;
        this.matrix = m == null ? null : Nd.keep(m.duplicate(), owner);
        boolean matrixOnly = m != null && rearranged.size() >= CausalConv1d.MATRIX_ONLY_ELEMENTS;
        this.kernel = matrixOnly ? null : rearranged;
        if (matrixOnly) {
            rearranged.close();
        }
        if (m != null) {
            m.close();
        }
    }

    /** K[(o, j), c, m - 1 - r] = W[c, o, r * stride + j], built once on the host. */
    private NDArray rearrange(NDArray weight, int groups) {
        float[] w = weight.toFloatArray();
        long cinPerGroup = inChannels / groups;
        long outPerGroup = outChannels / groups;
        int k = blocks * stride;
        float[] out = new float[(int) (outChannels * stride * cinPerGroup * blocks)];
        for (int c = 0; c < inChannels; c++) {
            long g = c / cinPerGroup;
            long cl = c % cinPerGroup;
            for (long ol = 0; ol < outPerGroup; ol++) {
                long o = g * outPerGroup + ol;
                for (int r = 0; r < blocks; r++) {
                    for (int j = 0; j < stride; j++) {
                        long row = o * stride + j;
                        long dst = (row * cinPerGroup + cl) * blocks + (blocks - 1 - r);
                        out[(int) dst] = w[(int) ((c * outPerGroup + ol) * k + r * stride + j)];
                    }
                }
            }
        }
        NDManager m = weight.getManager();
        return m.create(out, new Shape(outChannels * stride, cinPerGroup, blocks));
    }

    /** Offline: {@code x [B, Cin, T]} → {@code [B, Cout, T * stride]}. */
    public NDArray forward(NDArray x) {
        return step(x, new StreamTail(null));
    }

    /** Streaming: the next {@code T} steps; {@code tail} carries the last {@code m - 1} inputs. */
    public NDArray step(NDArray x, StreamTail tail) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(2);
        NDArray buffer = x;
        if (blocks > 1) {
            NDArray previous =
                    tail.get() == null
                            ? x.getManager()
                                    .zeros(new Shape(b, inChannels, blocks - 1), x.getDataType())
                            : tail.get();
            buffer = previous.concat(x, 2); // [B, Cin, m - 1 + T]
            tail.set(
                    buffer.get(new NDIndex().addAllDim().addAllDim().addSliceDim(t, t + blocks - 1))
                            .duplicate());
        }
        NDArray y =
                matrix != null && (t <= MAX_MATMUL_STEPS || kernel == null)
                        ? product(buffer, t)
                        : CausalConv1d.convRows(
                                buffer, kernel, bias, one, zero, one, groups,
                                perRow); // [B, Cout*s, T]
        return y.reshape(b, outChannels, stride, t)
                .transpose(0, 1, 3, 2)
                .reshape(b, outChannels, t * stride);
    }

    /**
     * The same conv for a few steps as one product with the unfolded input: libtorch's conv1d
     * reorders the whole kernel on every call, which dominates when T is a streamed frame's 2
     * steps.
     */
    private NDArray product(NDArray buffer, long t) {
        NDArray y = matrix.matMul(Unfold.columns(buffer, blocks, 1, 1, t)); // [B, Cout·s, T]
        return biasColumn == null ? y : y.add(biasColumn);
    }
}
