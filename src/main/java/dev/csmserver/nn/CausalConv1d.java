package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;

/**
 * A causal 1-D convolution with moshi's padding rules ({@code StreamingConv1d}, csm-spec §5.2).
 * Offline: pad {@code k_eff - stride} on the left and the "extra" samples that complete the last
 * window on the right, with zeros or by replicating the edge sample. Streaming: the first call is
 * left-padded, later calls prepend the input tail the previous call could not consume yet, so the
 * concatenated outputs equal the offline output (exactly, for stride 1).
 */
public final class CausalConv1d {
    private final NDArray weight; // [out, in / groups, k]
    private final NDArray bias; // [out] or null
    private final int stride;
    private final int dilation;
    private final int groups;
    private final boolean replicatePad;
    private final int effectiveKernel;
    private final Shape strideShape;
    private final Shape zeroPad = new Shape(0);
    private final Shape dilationShape;

    public CausalConv1d(NDArray weight, NDArray bias, int stride, int dilation, int groups, boolean replicatePad) {
        Nd.checkShape("conv weight", weight, -1, -1, -1);
        this.weight = weight;
        this.bias = bias;
        this.stride = stride;
        this.dilation = dilation;
        this.groups = groups;
        this.replicatePad = replicatePad;
        this.effectiveKernel = (int) (weight.getShape().get(2) - 1) * dilation + 1;
        this.strideShape = new Shape(stride);
        this.dilationShape = new Shape(dilation);
    }

    public int stride() {
        return stride;
    }

    /** Offline convolution of a whole signal {@code x [B, Cin, T]} → {@code [B, Cout, ceil(T / stride)]}. */
    public NDArray forward(NDArray x) {
        long length = x.getShape().get(2);
        int padTotal = effectiveKernel - stride;
        double frames = (length - effectiveKernel + padTotal) / (double) stride + 1;
        long ideal = ((long) Math.ceil(frames) - 1) * stride + (effectiveKernel - padTotal);
        long extra = ideal - length;
        NDArray left = pad(x, padTotal, true);
        NDArray both = pad(left, extra, false);
        NDArray y = conv(both);
        if (left != x) {
            left.close();
        }
        if (both != left) {
            both.close();
        }
        return y;
    }

    /**
     * Streaming convolution of the next samples {@code x [B, Cin, n]}; {@code tail} carries the
     * unconsumed input between calls (start with an empty tail).
     */
    public NDArray step(NDArray x, StreamTail tail) {
        int padTotal = effectiveKernel - stride;
        if (padTotal == 0 && stride == 1) {
            return conv(x);
        }
        NDArray buffer = tail.get() == null ? pad(x, padTotal, true) : tail.get().concat(x, 2); // [B, C, L]
        long length = buffer.getShape().get(2);
        long frames = length >= effectiveKernel ? (length - effectiveKernel) / stride + 1 : 0;
        tail.set(buffer.get(":, :, " + frames * stride + ":").duplicate());
        if (frames == 0) {
            return x.getManager().zeros(new Shape(x.getShape().get(0), weight.getShape().get(0), 0));
        }
        long used = (frames - 1) * stride + effectiveKernel;
        return conv(used == length ? buffer : buffer.get(":, :, 0:" + used));
    }

    private NDArray conv(NDArray x) {
        return Conv1d.conv1d(x, weight, bias, strideShape, zeroPad, dilationShape, groups).singletonOrThrow();
    }

    private NDArray pad(NDArray x, long n, boolean left) {
        if (n <= 0) {
            return x;
        }
        Shape s = x.getShape();
        NDArray fill;
        if (replicatePad) {
            long at = left ? 0 : s.get(2) - 1;
            fill = x.get(":, :, " + at + ":" + (at + 1)).repeat(2, n);
        } else {
            fill = x.getManager().zeros(new Shape(s.get(0), s.get(1), n), x.getDataType());
        }
        return left ? fill.concat(x, 2) : x.concat(fill, 2);
    }
}
