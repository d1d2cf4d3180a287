package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;

/**
 * torchtune {@code RMSNorm}: {@code x · rsqrt(mean(x², -1) + eps) · scale}, always in float32 (in
 * float16 it silently returns zeros for large rows, see stack-notes).
 */
public final class RmsNorm {
    private final NDArray scale;
    private final NDArray eps; // scalar tensors made once: a Java scalar costs an upload per call
    private final NDArray minusHalf;

    /** {@code scale [D]} float32. */
    public RmsNorm(NDArray scale, double eps) {
        this.scale = scale;
        this.eps = scale.getManager().create((float) eps);
        this.minusHalf = scale.getManager().create(-0.5f);
    }

    /** The scale {@code [D]} float32 (for the scripted step, {@link SlabBackbone}). */
    NDArray scale() {
        return scale;
    }

    /** {@code x [..., D]} float32 → same shape float32. */
    public NDArray forward(NDArray x) {
        NDArray inv = x.square().mean(new int[] {-1}, true).add(eps).pow(minusHalf);
        return x.mul(inv).mul(scale);
    }
}
