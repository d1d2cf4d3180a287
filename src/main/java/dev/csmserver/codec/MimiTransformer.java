package dev.csmserver.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.IValue;
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
    private final NDArray freqs; // [Dh / 2] the RoPE frequencies, for tables made on the device
    private final int heads;
    private final int headDim;
    private final double eps;
    private final double scale; // 1 / sqrt(Dh)
    private final IValue scriptWeights; // the layers' tensors for the script, or null
    private final IValue scriptDims; // H, Dh, context, layers

    /**
     * @param rows whether the projections treat each batch row on its own (the decoder's: see
     *     {@link #forwardRows})
     */
    MimiTransformer(MimiConfig c, CodecWeights w, String name, boolean rows) {
        layers = new MimiTransformerLayer[c.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new MimiTransformerLayer(c, w, name + ".layers." + i, rows);
        }
        rope = new MimiRope(c.headDim(), c.maxPeriod());
        context = c.context();
        freqs = w.manager().create(rope.freqs(), new Shape(c.headDim() / 2));
        heads = c.numHeads();
        headDim = c.headDim();
        eps = (float) c.normEps(); // what the host LayerNorm takes
        scale = 1.0 / Math.sqrt(headDim);
        if (rows) {
            List<PtNDArray> tensors = new ArrayList<>();
            for (MimiTransformerLayer layer : layers) {
                layer.scriptWeights().forEach(t -> tensors.add((PtNDArray) t));
            }
            scriptWeights = IValue.listFrom(tensors.toArray(new PtNDArray[0]));
            scriptDims = IValue.listFrom(heads, headDim, context, layers.length);
            // the list holds references to the weights: freed with the weights' manager
            w.manager()
                    .attachInternal(
                            "mimi-" + name + "-" + System.identityHashCode(scriptWeights),
                            scriptWeights,
                            scriptDims);
            MimiStepScript.compile();
        } else {
            scriptWeights = null;
            scriptDims = null;
        }
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

    /**
     * The next {@code T} steps of several streams at once, {@code x [B, D, T]} with row r carrying
     * {@code states.get(r)} → {@code [B, D, T]}: norms, projections and MLP once over all rows,
     * each layer's attention of every stream over its own window and positions as one scripted call
     * ({@link MimiStepScript}), RoPE tables made on the device. A stream's first call (an empty
     * window) joins like any other. Row r equals {@link #forward} of stream r alone up to the
     * products' rounding (the same script runs a stream alone).
     */
    NDArray forwardRows(NDArray x, List<TransformerState> states) {
        if (scriptWeights == null) {
            throw new IllegalStateException("only a transformer of per-row projections is batched");
        }
        NDArray xt = x.transpose(0, 2, 1); // [B, T, D]
        Shape s = xt.getShape();
        int steps = (int) s.get(1);
        int b = states.size();
        if (s.get(0) != b) {
            throw new IllegalArgumentException(s.get(0) + " rows for " + b + " streams");
        }
        long[] starts = new long[b];
        for (int r = 0; r < b; r++) {
            starts[r] = states.get(r).position();
        }
        // each layer's window of each stream made ready for the new steps: layer l, stream r at
        // l * B + r (moving or growing a buffer costs calls once per KvWindow.SLACK steps)
        NDManager m = xt.getManager();
        Shape row = new Shape(1, heads, steps, headDim); // one stream's new keys
        List<KvWindow> windows = new ArrayList<>(layers.length * b);
        long[] at = new long[layers.length * b];
        long[] cached = new long[at.length];
        for (int i = 0; i < layers.length; i++) {
            for (int r = 0; r < b; r++) {
                KvWindow w = states.get(r).layer(i);
                cached[i * b + r] = w.cachedSteps();
                at[i * b + r] = w.reserve(row, m, steps);
                windows.add(w);
            }
        }
        NDArray tables = MimiStepScript.tables(freqs, starts, steps); // [2, B, 1, T, Dh / 2]
        NDArray y =
                MimiStepScript.transformer(
                        xt, scriptWeights, tables, windows, at, cached, scriptDims, eps, scale);
        for (KvWindow w : windows) {
            w.advance(steps);
        }
        for (TransformerState state : states) {
            state.advance(steps);
        }
        return y.transpose(0, 2, 1);
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
