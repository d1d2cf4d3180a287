package dev.csmserver.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.csmserver.nn.ComputePath;
import dev.csmserver.nn.KvCache;
import dev.csmserver.nn.KvSlab;
import dev.csmserver.nn.Llama3Rope;
import dev.csmserver.nn.LlamaConfig;
import dev.csmserver.nn.LlamaLayer;
import dev.csmserver.nn.Nd;
import dev.csmserver.nn.RmsNorm;
import dev.csmserver.nn.ScriptedRows;
import dev.csmserver.nn.SlabBackbone;
import dev.csmserver.nn.SlabRows;
import dev.csmserver.weights.Weights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The CSM backbone (llama-1B flavour, no token embedding or output layer): layers then the final
 * RMSNorm. Rows of several requests, each at its own position with its own KV caches, go through
 * one call: projections are batched; attention runs per request over its filled prefix, or, for a
 * step over slots of a {@link KvSlab} (the CUDA-shaped path), over all rows at once, the whole step
 * (every layer and the final norm) then being ONE scripted call ({@link SlabBackbone}).
 */
public final class Backbone {
    private final LlamaConfig config;
    private final LlamaLayer[] layers;
    private final RmsNorm norm;
    private final Llama3Rope rope;
    private final SlabBackbone scripted; // the CUDA-shaped path's slab step; null on the CPU's

    private Backbone(
            LlamaConfig config,
            LlamaLayer[] layers,
            RmsNorm norm,
            Llama3Rope rope,
            SlabBackbone scripted) {
        this.config = config;
        this.layers = layers;
        this.norm = norm;
        this.rope = rope;
        this.scripted = scripted;
    }

    /** From {@code backbone.layers.*} and {@code backbone.norm.scale} of {@code w}. */
    static Backbone load(
            Weights w, LlamaConfig c, NDManager manager, DataType type, Runnable progress) {
        Llama3Rope rope = Llama3Rope.create(manager, c.rope(), c.headDim(), c.maxSeqLen());
        LlamaLayer[] layers = new LlamaLayer[c.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = LlamaLayer.load(w.sub("layers." + i), c, rope, manager, type);
            progress.run();
        }
        RmsNorm norm =
                new RmsNorm(
                        w.get(manager, "norm.scale", DataType.FLOAT32, c.embedDim()), c.normEps());
        SlabBackbone scripted =
                ComputePath.of(manager) == ComputePath.CUDA_SHAPED
                        ? SlabBackbone.create(layers, norm, rope, c, manager)
                        : null;
        return new Backbone(c, layers, norm, rope, scripted);
    }

    /** Zeroed per-layer caches of one request, owned by {@code manager} and outside any scope. */
    public KvCache[] newCaches(NDManager manager, int capacity) {
        KvCache[] caches = new KvCache[layers.length];
        for (int l = 0; l < caches.length; l++) {
            caches[l] = new KvCache(manager, 1, config.numKvHeads(), capacity, config.headDim());
            for (NDArray a : caches[l].storage()) {
                Nd.keep(a, manager);
            }
        }
        return caches;
    }

    /**
     * An empty slab for the caches of the requests of a CUDA-shaped model, {@code capacity}
     * positions per slot, in a sub-manager of {@code manager} ({@link KvSlab}).
     */
    public KvSlab newSlab(NDManager manager, int capacity) {
        return new KvSlab(manager, layers.length, config.numKvHeads(), capacity, config.headDim());
    }

    /**
     * {@code x [B, S, D]} float32, row b at positions {@code starts[b] ..} with caches {@code
     * caches.get(b)} → {@code [B, S, D]} float32 after the final norm.
     */
    public NDArray forward(NDArray x, List<KvCache[]> caches, int[] starts) {
        int b = (int) x.getShape().get(0);
        int s = (int) x.getShape().get(1);
        int[] lengths = new int[b];
        Arrays.fill(lengths, s);
        return run(x, caches, starts, lengths, null);
    }

    /**
     * Several requests' prompts packed into {@code x [1, Σ lengths, D]}: segment i has {@code
     * lengths[i]} rows at positions {@code starts[i] ..} with caches {@code caches.get(i)}. Every
     * weight is read once for all of them; attention stays within each segment. → {@code [1, Σ
     * lengths, D]} after the final norm.
     */
    public NDArray forwardPacked(NDArray x, List<KvCache[]> caches, int[] starts, int[] lengths) {
        return run(x, caches, starts, lengths, lengths);
    }

    /**
     * One position for each of {@code caches.size()} requests, their rows padded to a
     * batch-invariant count: {@code x [P, 1, D]} float32 with its positions {@code [P]} int64
     * already on the device (rows beyond the caches are padding: they attend to nothing, and the
     * caller drops them), request r at {@code starts[r]}. Nothing moves between host and device. →
     * {@code [P, 1, D]} after the final norm.
     */
    public NDArray step(NDArray x, NDArray positions, List<KvCache[]> caches, int[] starts) {
        int p = (int) x.getShape().get(0);
        checkOneRowEach(caches, starts);
        try (ScriptedRows rows = new ScriptedRows(rope.tables(positions, p, 1), starts)) {
            List<KvCache> layerCaches = new ArrayList<>(caches.size());
            for (int l = 0; l < layers.length; l++) {
                layerCaches.clear();
                for (KvCache[] c : caches) {
                    layerCaches.add(c[l]);
                }
                LlamaLayer layer = layers[l];
                NDArray in = x;
                x = Nd.scoped(() -> layer.step(in, rows, layerCaches));
            }
        }
        return norm.forward(x);
    }

    /**
     * As {@link #step(NDArray, NDArray, List, int[])} for requests holding slots of {@code slab}:
     * {@code slots [P]} int64 on the device (0 for padding rows), the whole step ONE scripted call
     * ({@link SlabBackbone}: every layer, attention over all rows at once, and the final norm), no
     * per-row or per-layer work on the host. The caller holds {@link KvSlab#lock}. → {@code [P, 1,
     * D]} after the final norm.
     */
    public NDArray step(
            NDArray x,
            NDArray positions,
            NDArray slots,
            KvSlab slab,
            List<KvCache[]> caches,
            int[] starts) {
        if (scripted == null) {
            return stepLayerByLayer(x, positions, slots, slab, caches, starts);
        }
        checkOneRowEach(caches, starts);
        NDArray h = scripted.step(x, positions, slots, slab);
        KvSlab.advance(caches);
        return h;
    }

    /**
     * The same step driven from the host layer by layer (each layer's attention one call, {@link
     * SlabRows}): the scripted step's reference, bit for bit.
     */
    NDArray stepLayerByLayer(
            NDArray x,
            NDArray positions,
            NDArray slots,
            KvSlab slab,
            List<KvCache[]> caches,
            int[] starts) {
        int p = (int) x.getShape().get(0);
        checkOneRowEach(caches, starts);
        try (SlabRows rows = new SlabRows(slab, rope.tables(positions, p, 1), slots, positions)) {
            for (int l = 0; l < layers.length; l++) {
                LlamaLayer layer = layers[l];
                NDArray in = x;
                int at = l;
                x = Nd.scoped(() -> layer.step(in, rows, at));
            }
        }
        KvSlab.advance(caches);
        return norm.forward(x);
    }

    /**
     * The row count a step of {@code rows} requests runs so that each row's bits do not depend on
     * the others ({@link dev.csmserver.nn.Linear#batchInvariantRows}): padded once per step, not
     * per product.
     */
    public int batchInvariantRows(int rows) {
        return layers[0].batchInvariantRows(rows);
    }

    private NDArray run(
            NDArray x, List<KvCache[]> caches, int[] starts, int[] lengths, int[] packed) {
        check(caches, starts, lengths);
        int total = Arrays.stream(lengths).sum();
        long[] positions = new long[total];
        int at = 0;
        for (int r = 0; r < lengths.length; r++) {
            for (int i = 0; i < lengths[r]; i++) {
                positions[at++] = starts[r] + i;
            }
        }
        int b = (int) x.getShape().get(0);
        return layers(x, rope.tables(positions, b, total / b), caches, packed);
    }

    /** Each request's caches hold exactly its rows so far, and its new rows fit the RoPE table. */
    /** {@link #check} for a step: one new row per request. */
    private void checkOneRowEach(List<KvCache[]> caches, int[] starts) {
        int[] ones = new int[caches.size()];
        Arrays.fill(ones, 1);
        check(caches, starts, ones);
    }

    private void check(List<KvCache[]> caches, int[] starts, int[] lengths) {
        for (int r = 0; r < lengths.length; r++) {
            if (caches.get(r)[0].filled() != starts[r]) {
                throw new IllegalStateException(
                        "row "
                                + r
                                + " is at position "
                                + starts[r]
                                + " but its cache holds "
                                + caches.get(r)[0].filled());
            }
            if (starts[r] + lengths[r] > config.maxSeqLen()) {
                throw new IllegalStateException(
                        "position " + (starts[r] + lengths[r]) + " beyond the RoPE table");
            }
        }
    }

    private NDArray layers(NDArray x, NDArray[] cosSin, List<KvCache[]> caches, int[] packed) {
        List<KvCache> layerCaches = new ArrayList<>(caches.size());
        for (int l = 0; l < layers.length; l++) {
            layerCaches.clear();
            for (KvCache[] c : caches) {
                layerCaches.add(c[l]);
            }
            LlamaLayer layer = layers[l];
            NDArray in = x;
            x = Nd.scoped(() -> layer.forward(in, cosSin, layerCaches, packed));
        }
        return norm.forward(x);
    }

    /** The scripted slab step (CUDA-shaped), or null: leak tests. */
    SlabBackbone scripted() {
        return scripted;
    }

    public LlamaConfig config() {
        return config;
    }
}
