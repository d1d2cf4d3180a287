package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;

/**
 * torchtune {@code RMSNorm}: {@code x · rsqrt(mean(x², -1) + eps) · scale}, always in float32
 * (in float16 it silently returns zeros for large rows, see stack-notes).
 */
public final class RmsNorm {
    private final NDArray scale;
    private final float eps;

    /** {@code scale [D]} float32. */
    public RmsNorm(NDArray scale, double eps) {
        this.scale = scale;
        this.eps = (float) eps;
    }

    /** {@code x [..., D]} float32 → same shape float32. */
    public NDArray forward(NDArray x) {
        NDArray inv = x.square().mean(new int[] {-1}, true).add(eps).pow(-0.5f);
        return x.mul(inv).mul(scale);
    }
}
