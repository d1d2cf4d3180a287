package dev.csmserver.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.csmserver.nn.CausalConv1d;
import dev.csmserver.nn.CausalConvTranspose1d;
import dev.csmserver.nn.Linear;
import dev.csmserver.weights.Weights;

/**
 * Canonical Mimi weights ({@code weights.MimiLayout}) turned into float32 arrays of the model's
 * manager, with the shape each layer expects checked as it is created.
 */
final class CodecWeights {
    private final Weights weights;
    private final NDManager manager;

    CodecWeights(Weights weights, NDManager manager) {
        this.weights = weights;
        this.manager = manager;
    }

    /** The manager the codec's weights and constants live in. */
    NDManager manager() {
        return manager;
    }

    NDArray array(String name, long... shape) {
        return weights.get(manager, name, DataType.FLOAT32, shape);
    }

    /** A projection {@code name [out, in]} multiplied by the core's row blocks ({@link Linear}). */
    Linear linear(String name, long out, long in) {
        return Linear.load(weights.host(name, out, in), manager, DataType.FLOAT32);
    }

    /**
     * A causal conv {@code name.weight [out, in, k]} (+ {@code name.bias [out]} when {@code bias}).
     */
    CausalConv1d conv(
            String name,
            long out,
            long in,
            long k,
            int stride,
            int dilation,
            boolean bias,
            boolean replicate) {
        NDArray w = array(name + ".weight", out, in, k);
        NDArray b = bias ? array(name + ".bias", out) : null;
        return new CausalConv1d(w, b, stride, dilation, 1, replicate);
    }

    /** A causal transposed conv {@code name.weight [in, out / groups, k]}. */
    CausalConvTranspose1d convTranspose(
            String name, long in, long out, long k, int stride, int groups, boolean bias) {
        NDArray w = array(name + ".weight", in, out / groups, k);
        NDArray b = bias ? array(name + ".bias", out) : null;
        return new CausalConvTranspose1d(w, b, stride, groups);
    }
}
