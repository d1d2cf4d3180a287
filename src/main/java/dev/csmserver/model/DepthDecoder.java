package dev.csmserver.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.csmserver.nn.GqaAttention;
import dev.csmserver.nn.KvCache;
import dev.csmserver.nn.Linear;
import dev.csmserver.nn.Llama3Rope;
import dev.csmserver.nn.LlamaConfig;
import dev.csmserver.nn.LlamaLayer;
import dev.csmserver.nn.Nd;
import dev.csmserver.nn.RmsNorm;
import dev.csmserver.nn.SwiGlu;
import dev.csmserver.weights.HostTensor;
import dev.csmserver.weights.Weights;
import java.util.List;

/**
 * The depth decoder and its heads (spec 3.5): from the backbone's last hidden state and c0 it
 * produces c1..c(K-1), one decoder step per code, restarting from an empty cache every frame. The
 * decoder sequence is {@code [proj(h), proj(emb(c0)), proj(emb(c1 + V)), ...]}; the output at
 * position p gives c_p through {@code audio_head[p-1]} (pre-sliced and stored [V, Ddec]). All rows
 * of a batch are at the same decoder position, so one batched cache serves them.
 */
public final class DepthDecoder {
    private static final NDIndex LAST_ROW = new NDIndex(":, -1, :");

    private final LlamaConfig config;
    private final Linear projection;
    private final LlamaLayer[] layers;
    private final RmsNorm norm;
    private final Linear[] audioHeads;

    /** Per layer its qkv, wo, w13, w2 (also inside {@link #layers}), for {@link FrameHeads}. */
    final Linear[][] layerLinears;

    /** Per layer its sa_norm and mlp_norm scales {@code [Ddec]} float32. */
    final NDArray[][] layerNorms;

    /** The final norm's scale {@code [Ddec]} float32. */
    final NDArray normScale;

    /** RoPE cos and sin of positions 0..P-1, {@code [1, P, 1, hd]} float32. */
    final NDArray[] ropeTables;

    /**
     * RoPE tables of decoder step i (step 0: positions 0, 1; step i: position i + 1), made at load.
     */
    private final NDArray[][] stepTables;

    private DepthDecoder(
            LlamaConfig config,
            Linear projection,
            LlamaLayer[] layers,
            RmsNorm norm,
            Llama3Rope rope,
            Linear[] audioHeads,
            Linear[][] layerLinears,
            NDArray[][] layerNorms,
            NDArray normScale,
            int ropePositions) {
        this.layerLinears = layerLinears;
        this.layerNorms = layerNorms;
        this.normScale = normScale;
        this.ropeTables = rope.sharedTables(0, ropePositions);
        this.config = config;
        this.projection = projection;
        this.layers = layers;
        this.norm = norm;
        this.audioHeads = audioHeads;
        this.stepTables = new NDArray[audioHeads.length][];
        for (int i = 0; i < stepTables.length; i++) {
            stepTables[i] = i == 0 ? rope.sharedTables(0, 2) : rope.sharedTables(i + 1, 1);
        }
    }

    /**
     * From {@code decoder.*}, {@code projection.weight} and {@code audio_head} of the root weights.
     */
    static DepthDecoder load(
            Weights root, CsmConfig cfg, NDManager manager, DataType type, Runnable progress) {
        LlamaConfig c = cfg.decoder();
        int k = cfg.numCodebooks();
        int positions = Math.min(c.maxSeqLen(), k);
        Llama3Rope rope = Llama3Rope.create(manager, c.rope(), c.headDim(), positions);
        Weights w = root.sub("decoder");
        LlamaLayer[] layers = new LlamaLayer[c.numLayers()];
        Linear[][] linears = new Linear[layers.length][];
        NDArray[][] norms = new NDArray[layers.length][];
        int d = c.embedDim();
        for (int i = 0; i < layers.length; i++) {
            // as LlamaLayer.load, keeping the weights for the scripted heads
            Weights lw = w.sub("layers." + i);
            HostTensor qkv =
                    Linear.fuseRows(
                            lw.host("attn.q_proj.weight", c.qDim(), d),
                            lw.host("attn.k_proj.weight", c.kvDim(), d),
                            lw.host("attn.v_proj.weight", c.kvDim(), d));
            HostTensor w13 =
                    Linear.fuseRows(
                            lw.host("mlp.w1.weight", c.intermediateDim(), d),
                            lw.host("mlp.w3.weight", c.intermediateDim(), d));
            linears[i] =
                    new Linear[] {
                        Linear.load(qkv, manager, type),
                        Linear.load(lw.host("attn.output_proj.weight", d, c.qDim()), manager, type),
                        Linear.load(w13, manager, type),
                        Linear.load(lw.host("mlp.w2.weight", d, c.intermediateDim()), manager, type)
                    };
            norms[i] =
                    new NDArray[] {
                        lw.get(manager, "sa_norm.scale", DataType.FLOAT32, d),
                        lw.get(manager, "mlp_norm.scale", DataType.FLOAT32, d)
                    };
            layers[i] =
                    new LlamaLayer(
                            new RmsNorm(norms[i][0], c.normEps()),
                            new GqaAttention(linears[i][0], linears[i][1], rope, c),
                            new RmsNorm(norms[i][1], c.normEps()),
                            new SwiGlu(linears[i][2], linears[i][3], c.intermediateDim()));
            progress.run();
        }
        NDArray normScale = w.get(manager, "norm.scale", DataType.FLOAT32, c.embedDim());
        RmsNorm norm = new RmsNorm(normScale, c.normEps());
        Linear projection =
                Linear.load(
                        root.host("projection.weight", c.embedDim(), cfg.backbone().embedDim()),
                        manager,
                        type);
        HostTensor heads = root.host("audio_head", k - 1, c.embedDim(), cfg.audioVocabSize());
        return new DepthDecoder(
                c,
                projection,
                layers,
                norm,
                rope,
                sliceHeads(heads, manager, type, c.embedDim(), cfg.audioVocabSize()),
                linears,
                norms,
                normScale,
                positions);
    }

    /**
     * {@code audio_head [K-1, Ddec, V]} ({@code h · W[i]}) → K-1 arrays {@code [V, Ddec]} for
     * {@code Linear}.
     */
    private static Linear[] sliceHeads(
            HostTensor heads, NDManager m, DataType type, int in, int vocab) {
        float[] all = heads.data();
        Linear[] out = new Linear[(int) heads.shape()[0]];
        for (int i = 0; i < out.length; i++) {
            float[] t = new float[in * vocab];
            int base = i * in * vocab;
            for (int r = 0; r < in; r++) {
                for (int c = 0; c < vocab; c++) {
                    t[c * in + r] = all[base + r * vocab + c];
                }
            }
            out[i] = Linear.load(HostTensor.of(t, vocab, in), m, type);
        }
        return out;
    }

    LlamaConfig config() {
        return config;
    }

    Linear projection() {
        return projection;
    }

    Linear[] audioHeads() {
        return audioHeads;
    }

    /**
     * The host-driven reference of the scripted heads ({@link FrameHeads}), for tests: codes 1..K-1
     * of each row's frame, each the forced code or the argmax. {@code lastH [B, D]} float32
     * (backbone output), {@code codes[b][0]} already holds c0; fills {@code codes[b][1..K-1]}. Runs
     * inside the caller's scope.
     */
    void generate(NDArray lastH, int[][] codes, FrameEmbedder embedder, CodePicker picker) {
        int b = codes.length;
        int k = audioHeads.length + 1;
        List<KvCache> caches = new java.util.ArrayList<>(layers.length);
        for (int l = 0; l < layers.length; l++) {
            caches.add(
                    new KvCache(lastH.getManager(), b, config.numKvHeads(), k, config.headDim()));
        }
        int[] column = new int[b];
        for (int r = 0; r < b; r++) {
            column[r] = codes[r][0];
        }
        NDArray x =
                NDArrays.concat(
                        new NDList(lastH.reshape(b, 1, -1), embedder.embedCodes(column, 0)), 1);
        for (int i = 1; i < k; i++) {
            NDArray h = projection.forward(x); // [B, s, Ddec]
            NDArray[] cosSin = stepTables[i - 1];
            for (int l = 0; l < layers.length; l++) {
                LlamaLayer layer = layers[l];
                List<KvCache> cache = List.of(caches.get(l));
                NDArray in = h;
                h = Nd.scoped(() -> layer.forward(in, cosSin, cache));
            }
            NDArray last = norm.forward(h.get(LAST_ROW)); // [B, Ddec]
            float[] logits = audioHeads[i - 1].forward(last).toFloatArray(); // [B, V]
            CsmModel.pickAll(
                    picker, i, logits, picker.records() ? last.toFloatArray() : null, column);
            for (int r = 0; r < b; r++) {
                codes[r][i] = column[r];
            }
            if (i < k - 1) {
                x = embedder.embedCodes(column, i);
            }
        }
    }
}
