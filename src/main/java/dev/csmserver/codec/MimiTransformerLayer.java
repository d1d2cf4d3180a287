package dev.csmserver.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;
import dev.csmserver.nn.Linear;
import java.util.List;

/**
 * One Mimi transformer layer (moshi {@code StreamingTransformerLayer}, csm-spec §5.5): pre-norm
 * LayerNorm, multi-head self-attention with interleaved RoPE and a causal sliding-window mask, then
 * a GELU MLP; each branch scaled by a learnt per-channel layer scale. Keys and values of earlier
 * calls come from a {@link TransformerState}, so a stream sees exactly what the offline mask
 * allows.
 */
final class MimiTransformerLayer {
    private final Projection inProj; // [3D, D] fused q;k;v, interleaved RoPE layout
    private final Projection outProj; // [D, D]
    private final NDArray norm1Weight;
    private final NDArray norm1Bias;
    private final NDArray norm2Weight;
    private final NDArray norm2Bias;
    private final Projection linear1; // [F, D]
    private final Projection linear2; // [D, F]
    private final RowLinear[] rowWeights; // in, out, linear1, linear2 when per row; else null
    private final NDArray layerScale1; // [D]
    private final NDArray layerScale2; // [D]
    private final int heads;
    private final int headDim;
    private final float eps;
    private final Shape normShape;
    private static final NDIndex QUERIES_AND_KEYS = new NDIndex().addSliceDim(0, 2);

    /** A bias-free projection {@code [B, T, in]} → {@code [B, T, out]}. */
    private interface Projection {
        NDArray forward(NDArray x);
    }

    /**
     * @param rows whether the projections treat each batch row on its own ({@link RowLinear}: the
     *     decoder transformer, whose rows are streams decoded together); else the core's row blocks
     *     ({@link Linear})
     */
    MimiTransformerLayer(MimiConfig c, CodecWeights w, String name, boolean rows) {
        long d = c.dimension();
        long f = c.dimFeedforward();
        rowWeights =
                rows
                        ? new RowLinear[] {
                            new RowLinear(w.array(name + ".in_proj.weight", 3 * d, d)),
                            new RowLinear(w.array(name + ".out_proj.weight", d, d)),
                            new RowLinear(w.array(name + ".linear1.weight", f, d)),
                            new RowLinear(w.array(name + ".linear2.weight", d, f))
                        }
                        : null;
        inProj = projection(w, name + ".in_proj.weight", 3 * d, d, 0);
        outProj = projection(w, name + ".out_proj.weight", d, d, 1);
        norm1Weight = w.array(name + ".norm1.weight", d);
        norm1Bias = w.array(name + ".norm1.bias", d);
        norm2Weight = w.array(name + ".norm2.weight", d);
        norm2Bias = w.array(name + ".norm2.bias", d);
        linear1 = projection(w, name + ".linear1.weight", f, d, 2);
        linear2 = projection(w, name + ".linear2.weight", d, f, 3);
        layerScale1 = w.array(name + ".layer_scale_1", d);
        layerScale2 = w.array(name + ".layer_scale_2", d);
        heads = c.numHeads();
        headDim = c.headDim();
        eps = (float) c.normEps();
        normShape = new Shape(d);
    }

    /** Projection {@code index} of {@link #rowWeights}, or a {@link Linear} of {@code name}. */
    private Projection projection(CodecWeights w, String name, long out, long in, int index) {
        if (rowWeights != null) {
            return rowWeights[index]::forward;
        }
        return w.linear(name, out, in)::forward;
    }

    /**
     * {@code x [B, T, D]} at absolute positions {@code start ..}; {@code rope} = cos, sin tables
     * and {@code mask [T, c + T]} the additive window mask over cached + new keys.
     */
    NDArray forward(NDArray x, NDArray[] rope, NDArray mask, TransformerState state, int layer) {
        NDArray h =
                LayerNorm.layerNorm(x, normShape, norm1Weight, norm1Bias, eps).singletonOrThrow();
        return mlp(x.add(attention(h, rope, mask, state, layer).mul(layerScale1)));
    }

    /**
     * The tensors {@code torchscript/mimi_step.py transformer} reads for this layer, in its order
     * (row-wise projections only).
     */
    List<NDArray> scriptWeights() {
        if (rowWeights == null) {
            throw new IllegalStateException("only a layer of per-row projections is scripted");
        }
        return List.of(
                norm1Weight,
                norm1Bias,
                rowWeights[0].weight(),
                rowWeights[1].weight(),
                layerScale1,
                norm2Weight,
                norm2Bias,
                rowWeights[2].weight(),
                rowWeights[3].weight(),
                layerScale2);
    }

    /** The feed-forward half: {@code x + scale2 · linear2(gelu(linear1(norm2(x))))}. */
    private NDArray mlp(NDArray x) {
        NDArray g =
                LayerNorm.layerNorm(x, normShape, norm2Weight, norm2Bias, eps).singletonOrThrow();
        NDArray ff = linear2.forward(Activation.gelu(linear1.forward(g)));
        return x.add(ff.mul(layerScale2));
    }

    private NDArray attention(
            NDArray h, NDArray[] rope, NDArray mask, TransformerState state, int layer) {
        Shape s = h.getShape();
        long b = s.get(0);
        long t = s.get(1);
        NDArray qkv =
                inProj.forward(h) // [B, T, 3D]
                        .reshape(b, t, 3, heads, headDim)
                        .transpose(2, 0, 3, 1, 4); // [3, B, H, T, Dh]
        NDArray qk =
                MimiRope.apply(
                        qkv.get(QUERIES_AND_KEYS), rope[0], rope[1]); // one rotation for both
        NDArray q = qk.get(0);
        NDArray k = qk.get(1);
        NDArray v = qkv.get(2);
        NDArray[] window = state.layer(layer).append(k, v); // [B, H, c + T, Dh] each
        NDArray scores =
                q.matMul(window[0].transpose(0, 1, 3, 2)).mul(1.0 / Math.sqrt(headDim)).add(mask);
        NDArray out =
                scores.softmax(-1)
                        .matMul(window[1]) // [B, H, T, Dh]
                        .transpose(0, 2, 1, 3)
                        .reshape(b, t, (long) heads * headDim);
        return outProj.forward(out);
    }
}
