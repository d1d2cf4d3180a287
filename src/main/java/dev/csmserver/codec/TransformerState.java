package dev.csmserver.codec;

import ai.djl.ndarray.NDManager;

/**
 * Key/value window of a Mimi transformer across calls: per layer the RoPE-rotated keys and the
 * values of the last {@code context - 1} positions (all a future query can still see under the mask
 * {@code k <= q && q - k < context}), and the absolute position of the next step.
 */
final class TransformerState {
    private final KvWindow[] layers;
    private long position;

    /**
     * @param owner the request manager the windows live in, or {@code null} for a one-shot call
     */
    TransformerState(NDManager owner, MimiConfig config) {
        layers = new KvWindow[config.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new KvWindow(owner, config.context() - 1);
        }
    }

    /** The window of {@code layer}. */
    KvWindow layer(int layer) {
        return layers[layer];
    }

    /** Old steps every layer's next call attends over before its new ones. */
    int cachedSteps() {
        return layers.length == 0 ? 0 : layers[0].cachedSteps();
    }

    /** Absolute 25 Hz position of the next step. */
    long position() {
        return position;
    }

    void advance(long steps) {
        position += steps;
    }
}
