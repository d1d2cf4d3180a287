package dev.csmserver.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * moshi's rotary embedding ({@code modules/rope.py apply_rope}): interleaved pairs {@code (2i,
 * 2i+1)} of each head rotated by {@code pos * max_period^(-2i/Dh)}, the angles in float32 as the
 * reference computes them. Weights from the HF layout are un-permuted at load time, so this is the
 * only RoPE the codec needs.
 */
final class MimiRope {
    private static final NDIndex REAL = new NDIndex("..., 0");
    private static final NDIndex IMAG = new NDIndex("..., 1");

    private final float[] freqs; // [Dh / 2]

    MimiRope(int headDim, double maxPeriod) {
        freqs = new float[headDim / 2];
        float step = (float) (-Math.log(maxPeriod) * 2 / headDim);
        for (int i = 0; i < freqs.length; i++) {
            freqs[i] = (float) Math.exp((float) i * step);
        }
    }

    /** The rotation frequencies {@code [Dh / 2]} (for tables made on the device). */
    float[] freqs() {
        return freqs.clone();
    }

    /** cos and sin tables {@code [T, Dh / 2]} for positions {@code start .. start + T - 1}. */
    NDArray[] tables(NDManager manager, long start, int steps) {
        float[] cos = new float[steps * freqs.length];
        float[] sin = new float[cos.length];
        for (int t = 0; t < steps; t++) {
            float pos = (float) (start + t);
            for (int i = 0; i < freqs.length; i++) {
                float angle = freqs[i] * pos;
                cos[t * freqs.length + i] = (float) Math.cos(angle);
                sin[t * freqs.length + i] = (float) Math.sin(angle);
            }
        }
        Shape shape = new Shape(steps, freqs.length);
        return new NDArray[] {manager.create(cos, shape), manager.create(sin, shape)};
    }

    /**
     * Rotates {@code x [..., T, Dh]} (queries and keys stacked in front) with tables from {@link
     * #tables}.
     */
    static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        Shape s = x.getShape();
        long[] dims = Arrays.copyOf(s.getShape(), s.dimension() + 1);
        dims[s.dimension() - 1] = s.get(s.dimension() - 1) / 2;
        dims[s.dimension()] = 2;
        NDArray pairs = x.reshape(new Shape(dims)); // [..., T, Dh / 2, 2]
        NDArray re = pairs.get(REAL); // [..., T, Dh / 2]
        NDArray im = pairs.get(IMAG);
        NDArray outRe = re.mul(cos).sub(im.mul(sin));
        NDArray outIm = re.mul(sin).add(im.mul(cos));
        return outRe.stack(outIm, s.dimension()).reshape(s);
    }
}
