package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;

/**
 * A causal 1-D convolution with moshi's padding rules ({@code StreamingConv1d}, csm-spec §5.2).
 * Offline: pad {@code k_eff - stride} on the left and the "extra" samples that complete the last
 * window on the right, with zeros or by replicating the edge sample. Streaming: the first call is
 * left-padded, later calls prepend the input tail the previous call could not consume yet, so the
 * concatenated outputs equal the offline output (exactly, for stride 1); {@link #finish} applies
 * the offline right padding to the last call of a stream.
 *
 * <p>How it multiplies: one input channel, a 1x1 kernel or a large kernel always as one matrix
 * product with the unfolded input ({@link Unfold}); other kernels with libtorch's conv1d, except
 * for a few frames, where conv1d's per-call kernel reorder costs more than the product.
 */
public final class CausalConv1d {
    /** Up to this many output frames per call multiply the kernel as a matrix. */
    static final long MAX_MATMUL_FRAMES = 16;

    /**
     * Kernels this large (Mimi's 25 Hz convs) are kept only as a matrix: their reorder dominates
     * conv1d at any length the codec runs them at, and a second copy would only cost memory.
     */
    static final long MATRIX_ONLY_ELEMENTS = 1L << 20;

    private final NDArray weight; // [out, in / groups, k], or null when only the matrix is kept
    private final NDArray bias; // [out] or null
    private final NDArray matrix; // [1, out, k·in], column i·in + c = weight[o, c, i]; or null
    private final NDArray biasColumn; // [out, 1] or null
    private final long inChannels;
    private final int kernel;
    private final int stride;
    private final int dilation;
    private final int groups;
    private final boolean replicatePad;
    private final int effectiveKernel;
    private final Shape strideShape;
    private final Shape zeroPad = new Shape(0);
    private final Shape dilationShape;
    private final boolean perRow; // conv1d one batch row per call (the CPU default path)

    /**
     * Takes ownership of {@code weight [out, in / groups, k]}: it is closed when only its matrix is
     * kept.
     */
    public CausalConv1d(
            NDArray weight,
            NDArray bias,
            int stride,
            int dilation,
            int groups,
            boolean replicatePad) {
        Nd.checkShape("conv weight", weight, -1, -1, -1);
        long out = weight.getShape().get(0);
        this.inChannels = weight.getShape().get(1) * groups;
        this.kernel = (int) weight.getShape().get(2);
        this.bias = bias;
        this.stride = stride;
        this.dilation = dilation;
        this.groups = groups;
        this.replicatePad = replicatePad;
        this.effectiveKernel = (kernel - 1) * dilation + 1;
        this.strideShape = new Shape(stride);
        this.dilationShape = new Shape(dilation);
        this.biasColumn = bias == null ? null : bias.reshape(out, 1);
        this.perRow = ComputePath.of(weight.getManager()) == ComputePath.CPU_DEFAULT;
        if (groups != 1) {
            this.weight = weight;
            this.matrix = null;
            return;
        }
        // [1, out, k·in]: a 3-D product is a bmm, which streams the matrix; a 2-D one is an addmm,
        // which first packs it (3x slower for the few frames of a streamed step)
        NDArray m = weight.transpose(0, 2, 1).reshape(1, out, kernel * inChannels);
        this.matrix = Nd.keep(m.duplicate(), weight.getManager());
        m.close();
        boolean matrixOnly =
                inChannels == 1 || kernel == 1 || weight.size() >= MATRIX_ONLY_ELEMENTS;
        this.weight = matrixOnly ? null : weight;
        if (matrixOnly) {
            weight.close();
        }
    }

    public int stride() {
        return stride;
    }

    /**
     * Offline convolution of a whole signal {@code x [B, Cin, T]} → {@code [B, Cout, ceil(T /
     * stride)]}.
     */
    public NDArray forward(NDArray x) {
        return finish(x, new StreamTail(null));
    }

    /**
     * Streaming convolution of the next samples {@code x [B, Cin, n]}; {@code tail} carries the
     * unconsumed input between calls (start with an empty tail).
     */
    public NDArray step(NDArray x, StreamTail tail) {
        return next(x, tail, false);
    }

    /**
     * The last call of a stream: like {@link #step}, then the right padding of the offline
     * convolution, so the whole stream's output equals {@link #forward} of the whole signal.
     */
    public NDArray finish(NDArray x, StreamTail tail) {
        return next(x, tail, true);
    }

    private NDArray next(NDArray x, StreamTail tail, boolean last) {
        int padTotal = effectiveKernel - stride;
        if (padTotal == 0 && stride == 1) {
            return conv(x, x.getShape().get(2));
        }
        NDArray buffer =
                tail.get() == null ? pad(x, padTotal, true) : tail.get().concat(x, 2); // [B, C, L]
        long length = buffer.getShape().get(2);
        if (last) {
            // offline: as many frames as the signal needs, the last window completed with padding
            long frames =
                    length > effectiveKernel - stride
                            ? Math.floorDiv(length - effectiveKernel + stride - 1, stride) + 1
                            : 0;
            long extra = frames == 0 ? 0 : (frames - 1) * stride + effectiveKernel - length;
            buffer = pad(buffer, extra, false);
            length = buffer.getShape().get(2);
        }
        long frames = length >= effectiveKernel ? (length - effectiveKernel) / stride + 1 : 0;
        tail.set(
                buffer.get(
                                new NDIndex()
                                        .addAllDim()
                                        .addAllDim()
                                        .addSliceDim(frames * stride, length))
                        .duplicate());
        if (frames == 0) {
            return x.getManager().zeros(new Shape(x.getShape().get(0), outChannels(), 0));
        }
        return conv(buffer, frames);
    }

    private long outChannels() {
        return matrix != null ? matrix.getShape().get(1) : weight.getShape().get(0);
    }

    /** The first {@code frames} outputs of the valid convolution of {@code x [B, Cin, L]}. */
    private NDArray conv(NDArray x, long frames) {
        if (weight == null || (matrix != null && frames <= MAX_MATMUL_FRAMES)) {
            NDArray y =
                    matrix.matMul(
                            Unfold.columns(x, kernel, dilation, stride, frames)); // [B, Cout, F]
            return biasColumn == null ? y : y.add(biasColumn);
        }
        long used = (frames - 1) * stride + effectiveKernel;
        NDArray input =
                used == x.getShape().get(2)
                        ? x
                        : x.get(new NDIndex().addAllDim().addAllDim().addSliceDim(0, used));
        return convRows(input, weight, bias, strideShape, zeroPad, dilationShape, groups, perRow);
    }

    /**
     * libtorch's conv1d over {@code x [B, C, L]}. With {@code perRow} (the CPU default path) one
     * batch row per call: oneDNN's blocking over the minibatch changes a row's last bits with the
     * number of rows beside it, and there a stream decoded together with others gives exactly its
     * solo samples. (The matrix products are bmm's, which already treat each row on its own.) The
     * CUDA-shaped path convolves all rows in one call, so its kernels do not multiply with the
     * streams; a row's samples then match its solo ones to float rounding.
     */
    static NDArray convRows(
            NDArray x,
            NDArray weight,
            NDArray bias,
            Shape stride,
            Shape padding,
            Shape dilation,
            int groups,
            boolean perRow) {
        long rows = x.getShape().get(0);
        if (rows == 1 || !perRow) {
            return Conv1d.conv1d(x, weight, bias, stride, padding, dilation, groups)
                    .singletonOrThrow();
        }
        NDList parts = x.split(rows, 0); // B x [1, C, L]: one call, not one index per row
        NDList outs = new NDList((int) rows);
        for (NDArray row : parts) {
            outs.add(
                    Conv1d.conv1d(row, weight, bias, stride, padding, dilation, groups)
                            .singletonOrThrow());
        }
        return NDArrays.concat(outs, 0);
    }

    private NDArray pad(NDArray x, long n, boolean left) {
        if (n <= 0) {
            return x;
        }
        Shape s = x.getShape();
        NDArray fill;
        if (replicatePad) {
            long at = left ? 0 : s.get(2) - 1;
            fill =
                    x.get(new NDIndex().addAllDim().addAllDim().addSliceDim(at, at + 1))
                            .repeat(2, n);
        } else {
            fill = x.getManager().zeros(new Shape(s.get(0), s.get(1), n), x.getDataType());
        }
        return left ? fill.concat(x, 2) : x.concat(fill, 2);
    }
}
