package dev.csmserver.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Mimi's encoder or decoder transformer (moshi {@code ProjectedTransformer} with conv layout and no
 * projections): {@code [B, D, T]} in and out at 25 Hz. Attention is causal within a window of
 * {@code context} steps: query q sees key k iff {@code k <= q && q - k < context}. The keys and
 * values a later step may still need live in a {@link TransformerState}; a long offline input is
 * processed in blocks through the same state, which bounds the score matrices without changing the
 * result.
 */
final class MimiTransformer {
    /** Steps per offline block: large enough that short inputs use one full masked matmul. */
    static final int OFFLINE_BLOCK = 1024;

    private final MimiTransformerLayer[] layers;
    private final MimiRope rope;
    private final int context;

    MimiTransformer(MimiConfig c, CodecWeights w, String name) {
        layers = new MimiTransformerLayer[c.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new MimiTransformerLayer(c, w, name + ".layers." + i);
        }
        rope = new MimiRope(c.headDim(), c.maxPeriod());
        context = c.context();
    }

    int numLayers() {
        return layers.length;
    }

    /**
     * The next steps {@code x [B, D, T]} of a sequence whose earlier steps are in {@code state}.
     */
    NDArray forward(NDArray x, TransformerState state) {
        NDArray xt = x.transpose(0, 2, 1); // [B, T, D]
        long steps = xt.getShape().get(1);
        if (steps <= OFFLINE_BLOCK) {
            return block(xt, state).transpose(0, 2, 1);
        }
        List<NDArray> outs = new ArrayList<>();
        for (long from = 0; from < steps; from += OFFLINE_BLOCK) {
            long to = Math.min(steps, from + OFFLINE_BLOCK);
            outs.add(block(xt.get(":, " + from + ":" + to + ", :"), state));
        }
        return NDArrays.concat(new NDList(outs), 1).transpose(0, 2, 1);
    }

    private NDArray block(NDArray x, TransformerState state) {
        int steps = (int) x.getShape().get(1);
        long start = state.position();
        int cachedSteps = state.cachedSteps();
        NDManager m = x.getManager();
        NDArray[] tables = rope.tables(m, start, steps);
        NDArray mask = mask(m, start, steps, cachedSteps);
        for (int i = 0; i < layers.length; i++) {
            x = layers[i].forward(x, tables, mask, state, i);
        }
        state.advance(steps);
        return x;
    }

    /** Additive mask {@code [T, c + T]}: 0 where the key is visible, -inf elsewhere. */
    private NDArray mask(NDManager m, long start, int steps, int cachedSteps) {
        int keys = cachedSteps + steps;
        float[] mask = new float[steps * keys];
        for (int i = 0; i < steps; i++) {
            long q = start + i;
            for (int j = 0; j < keys; j++) {
                long k = start - cachedSteps + j;
                boolean visible = k <= q && q - k < context;
                mask[i * keys + j] = visible ? 0f : Float.NEGATIVE_INFINITY;
            }
        }
        return m.create(mask, new Shape(steps, keys));
    }
}
