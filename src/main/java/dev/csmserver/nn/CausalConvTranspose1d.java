package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;

/**
 * A causal transposed 1-D convolution (moshi {@code StreamingConvTranspose1d}, trim right ratio 1):
 * {@code T} input steps give exactly {@code T * stride} samples; the last {@code k - stride}
 * samples of the full transposed conv are dropped offline and, when streaming, carried in a
 * {@link StreamTail} and added to the head of the next call. DJL has no transposed conv, so it is a
 * matmul (or, depthwise, a broadcast multiply) followed by an overlap-add of {@code k / stride}
 * shifted blocks; {@code k % stride == 0} is required (true for every Mimi layer).
 */
public final class CausalConvTranspose1d {
    private final NDArray weightMatrix; // groups 1: [Cout * k, Cin]; depthwise: null
    private final NDArray depthwise; // depthwise: [1, C, 1, k]; otherwise null
    private final NDArray biasColumn; // [Cout, 1] or null
    private final int stride;
    private final int kernel;
    private final int blocks;
    private final long outChannels;

    /**
     * @param weight PyTorch layout {@code [Cin, Cout / groups, k]}
     * @param groups 1, or Cin (= Cout, depthwise)
     */
    public CausalConvTranspose1d(NDArray weight, NDArray bias, int stride, int groups) {
        Nd.checkShape("convtr weight", weight, -1, -1, -1);
        long in = weight.getShape().get(0);
        kernel = (int) weight.getShape().get(2);
        if (kernel % stride != 0) {
            throw new IllegalArgumentException("transposed conv needs k % stride == 0, got k " + kernel + ", stride " + stride);
        }
        this.stride = stride;
        this.blocks = kernel / stride;
        if (groups == 1) {
            outChannels = weight.getShape().get(1);
            // [Cin, Cout, k] -> [Cout * k, Cin], so Linear.linear(x [B, T, Cin]) gives [B, T, Cout * k]
            weightMatrix = weight.reshape(in, outChannels * kernel).transpose().duplicate();
            depthwise = null;
        } else if (groups == in && weight.getShape().get(1) == 1) {
            outChannels = in;
            weightMatrix = null;
            depthwise = weight.reshape(1, in, 1, kernel);
        } else {
            throw new IllegalArgumentException("transposed conv supports groups 1 or depthwise, got " + groups);
        }
        biasColumn = bias == null ? null : bias.reshape(outChannels, 1);
    }

    /** Offline: {@code x [B, Cin, T]} → {@code [B, Cout, T * stride]}. */
    public NDArray forward(NDArray x) {
        return step(x, new StreamTail(null));
    }

    /** Streaming: the next {@code T} steps; {@code partial} carries the overlap into the next call. */
    public NDArray step(NDArray x, StreamTail partial) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(2);
        NDArray z; // [B, Cout, T, k]
        if (depthwise == null) {
            z = Linear.linear(x.transpose(0, 2, 1), weightMatrix).singletonOrThrow()
                    .reshape(b, t, outChannels, kernel).transpose(0, 2, 1, 3);
        } else {
            z = x.expandDims(3).mul(depthwise);
        }
        z = z.reshape(b, outChannels, t, blocks, stride);
        NDArray y = null; // [B, Cout, T + blocks - 1, stride]: block r lands r frames later
        for (int r = 0; r < blocks; r++) {
            NDArray part = shift(z.get(":, :, :, " + r + ", :"), r, blocks - 1 - r);
            y = y == null ? part : y.add(part);
        }
        if (partial.get() != null) {
            y = y.add(shift(partial.get(), 0, t));
        }
        if (blocks > 1) {
            partial.set(y.get(":, :, " + t + ":, :").duplicate());
        }
        NDArray out = y.get(":, :, 0:" + t + ", :").reshape(b, outChannels, t * stride);
        return biasColumn == null ? out : out.add(biasColumn);
    }

    /** Zero frames before and after on axis 2 of {@code [B, C, F, s]}. */
    private static NDArray shift(NDArray a, long before, long after) {
        Shape s = a.getShape();
        NDArray out = a;
        if (before > 0) {
            out = a.getManager().zeros(new Shape(s.get(0), s.get(1), before, s.get(3))).concat(out, 2);
        }
        if (after > 0) {
            out = out.concat(a.getManager().zeros(new Shape(s.get(0), s.get(1), after, s.get(3))), 2);
        }
        return out;
    }
}
