package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.csmserver.weights.HostTensor;
import dev.csmserver.weights.Weights;
import java.util.List;

/**
 * One torchtune {@code TransformerSelfAttentionLayer} (spec 3.2): {@code h = x + attn(sa_norm(x));
 * out = h + mlp(mlp_norm(h))}. Immutable; caches are passed in.
 */
public final class LlamaLayer {
    private final RmsNorm saNorm;
    private final GqaAttention attention;
    private final RmsNorm mlpNorm;
    private final SwiGlu mlp;

    public LlamaLayer(RmsNorm saNorm, GqaAttention attention, RmsNorm mlpNorm, SwiGlu mlp) {
        this.saNorm = saNorm;
        this.attention = attention;
        this.mlpNorm = mlpNorm;
        this.mlp = mlp;
    }

    /**
     * Loads {@code attn.{q,k,v,output}_proj.weight}, {@code mlp.w{1,2,3}.weight} and the two norm
     * scales from {@code w} (a {@code *.layers.i} view) into {@code manager}; projections as {@code
     * type}, norms always float32.
     */
    public static LlamaLayer load(
            Weights w, LlamaConfig c, Llama3Rope rope, NDManager manager, DataType type) {
        int d = c.embedDim();
        HostTensor qkv =
                Linear.fuseRows(
                        w.host("attn.q_proj.weight", c.qDim(), d),
                        w.host("attn.k_proj.weight", c.kvDim(), d),
                        w.host("attn.v_proj.weight", c.kvDim(), d));
        Linear wo = Linear.load(w.host("attn.output_proj.weight", d, c.qDim()), manager, type);
        HostTensor w13 =
                Linear.fuseRows(
                        w.host("mlp.w1.weight", c.intermediateDim(), d),
                        w.host("mlp.w3.weight", c.intermediateDim(), d));
        Linear w2 = Linear.load(w.host("mlp.w2.weight", d, c.intermediateDim()), manager, type);
        return new LlamaLayer(
                new RmsNorm(w.get(manager, "sa_norm.scale", DataType.FLOAT32, d), c.normEps()),
                new GqaAttention(Linear.load(qkv, manager, type), wo, rope, c),
                new RmsNorm(w.get(manager, "mlp_norm.scale", DataType.FLOAT32, d), c.normEps()),
                new SwiGlu(Linear.load(w13, manager, type), w2, c.intermediateDim()));
    }

    /**
     * One step of {@code x [P, 1, Dm]} for requests with their own caches (one per leading row, the
     * rest padding), attention scripted ({@link GqaAttention#step}).
     */
    public NDArray step(NDArray x, ScriptedRows rows, List<KvCache> caches) {
        NDArray h = x.add(attention.step(saNorm.forward(x), rows, caches));
        return h.add(mlp.forward(mlpNorm.forward(h)));
    }

    /**
     * One step of {@code x [P, 1, Dm]} for requests holding {@link KvSlab} slots, this being layer
     * {@code layer}: all rows attend at once ({@link GqaAttention#step(NDArray, SlabRows, int)}).
     */
    public NDArray step(NDArray x, SlabRows rows, int layer) {
        NDArray h = x.add(attention.step(saNorm.forward(x), rows, layer));
        return h.add(mlp.forward(mlpNorm.forward(h)));
    }

    /**
     * The layer's weights in the order {@code slab_backbone.py} reads them: sa_norm scale, wqkv,
     * wo, mlp_norm scale, w13, w2 ({@link SlabBackbone}).
     */
    NDArray[] stepTensors() {
        Linear[] attn = attention.linears();
        Linear[] ffn = mlp.linears();
        return new NDArray[] {
            saNorm.scale(),
            whole(attn[0]),
            whole(attn[1]),
            mlpNorm.scale(),
            whole(ffn[0]),
            whole(ffn[1])
        };
    }

    /** A weight held as one plain tensor, as the CUDA-shaped path loads it. */
    private static NDArray whole(Linear l) {
        List<NDArray> blocks = l.rowBlocks();
        if (l.packed() || blocks.size() != 1) {
            throw new IllegalStateException(
                    "a scripted backbone step takes whole, plain weights (the CUDA-shaped path)");
        }
        return blocks.get(0);
    }

    /** The batch-invariant row count for {@code rows} rows ({@link Linear#batchInvariantRows}). */
    public int batchInvariantRows(int rows) {
        return attention.batchInvariantRows(rows);
    }

    /** {@code x [B, S, Dm]} float32 → {@code [B, S, Dm]} float32; appends to {@code caches}. */
    public NDArray forward(NDArray x, NDArray[] cosSin, List<KvCache> caches) {
        return forward(x, cosSin, caches, null);
    }

    /**
     * As above; {@code lengths} packs several prompts into {@code x [1, Σ lengths, Dm]} ({@link
     * GqaAttention}).
     */
    public NDArray forward(NDArray x, NDArray[] cosSin, List<KvCache> caches, int[] lengths) {
        NDArray h = x.add(attention.forward(saNorm.forward(x), cosSin, caches, lengths));
        return h.add(mlp.forward(mlpNorm.forward(h)));
    }
}
