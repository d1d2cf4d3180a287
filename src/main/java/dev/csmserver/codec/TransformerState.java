package dev.csmserver.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.csmserver.nn.StreamTail;

/**
 * Key/value window of a Mimi transformer across calls: per layer the RoPE-rotated keys and the
 * values of the last {@code context - 1} positions (all a future query can still see under the
 * mask {@code k <= q && q - k < context}), and the absolute position of the next step.
 */
final class TransformerState {
    private final StreamTail[] keys;
    private final StreamTail[] values;
    private long position;

    TransformerState(NDManager owner, int numLayers) {
        keys = new StreamTail[numLayers];
        values = new StreamTail[numLayers];
        for (int i = 0; i < numLayers; i++) {
            keys[i] = new StreamTail(owner);
            values[i] = new StreamTail(owner);
        }
    }

    /** Cached keys of {@code layer}, {@code [B, H, c, Dh]}, or null when empty. */
    NDArray keys(int layer) {
        return keys[layer].get();
    }

    NDArray values(int layer) {
        return values[layer].get();
    }

    void keep(int layer, NDArray k, NDArray v) {
        keys[layer].set(k);
        values[layer].set(v);
    }

    /** Absolute 25 Hz position of the next step. */
    long position() {
        return position;
    }

    void advance(long steps) {
        position += steps;
    }
}
