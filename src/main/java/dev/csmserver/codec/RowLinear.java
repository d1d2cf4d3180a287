package dev.csmserver.codec;

import ai.djl.ndarray.NDArray;

/**
 * A bias-free projection {@code y = x · Wᵀ} of the decoder transformer that treats every batch row
 * (stream) on its own: {@code W [1, out, in]} times {@code xᵀ [B, in, T]} is a bmm, which libtorch
 * runs as one product per batch entry, so a stream's bits do not depend on the streams beside it (a
 * 2-D product over all {@code B·T} rows blocks differently with their number). Weight first, it
 * also streams W where an addmm over a streamed step's few rows would pack it first.
 */
final class RowLinear {
    private final NDArray weight; // [1, out, in]

    /** {@code w [out, in]}, kept (as a view) in its manager. */
    RowLinear(NDArray w) {
        this.weight = w.expandDims(0);
    }

    /** The weight {@code [1, out, in]} (for the scripted transformer). */
    NDArray weight() {
        return weight;
    }

    /** {@code x [B, T, in]} → {@code [B, T, out]}. */
    NDArray forward(NDArray x) {
        return weight.matMul(x.transpose(0, 2, 1)).transpose(0, 2, 1);
    }
}
