package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.IValue;
import java.util.Arrays;
import java.util.List;

/**
 * Grouped-query self-attention of torchtune {@code MultiHeadAttention} (spec 3.2) with one fused
 * QKV projection. Query head {@code h} reads KV head {@code h / (H/KVH)}; scores are {@code
 * q·kᵀ/√D} over the filled cache prefix only, with a causal additive mask when several rows arrive
 * at once; softmax in float32.
 */
public final class GqaAttention {
    private final Linear wqkv;
    private final Linear wo;
    private final Llama3Rope rope;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final NDArray scale; // 1/√D, a device scalar made once: mul(Number) uploads per call
    private final NDIndex qkSlice;
    private final NDIndex vSlice;
    private final NDIndex qHeads;
    private final NDIndex kHeads;
    private final double scaleValue;
    private final IValue dims; // H, KVH, hd for the scripted step

    /** {@code wqkv [(H + 2·KVH)·D, Dm]}, {@code wo [Dm, H·D]}, both float32 or float16. */
    public GqaAttention(Linear wqkv, Linear wo, Llama3Rope rope, LlamaConfig c) {
        this.wqkv = wqkv;
        this.wo = wo;
        this.rope = rope;
        this.heads = c.numHeads();
        this.kvHeads = c.numKvHeads();
        this.headDim = c.headDim();
        this.scaleValue = (float) (1.0 / Math.sqrt(c.headDim()));
        this.scale = wqkv.manager().create((float) scaleValue); // [] float32
        this.dims = IValue.listFrom(heads, kvHeads, headDim);
        int q = c.qDim();
        int kv = c.kvDim();
        this.qkSlice = new NDIndex("..., 0:" + (q + kv));
        this.vSlice = new NDIndex("..., " + (q + kv) + ":" + (q + 2 * kv));
        this.qHeads = new NDIndex(":, :, 0:" + heads);
        this.kHeads = new NDIndex(":, :, " + heads + ":" + (heads + kvHeads));
    }

    /**
     * {@code x [B, S, Dm]} float32 (already normed). {@code caches} holds either a single cache of
     * batch B shared by all rows, or one cache of batch 1 per leading row (each at its own
     * position): rows beyond {@code caches.size()} are padding a step adds once so every product
     * runs a batch-invariant row count ({@link Linear#batchInvariantRows}); they attend to nothing
     * and their attention output is zero. Returns {@code [B, S, Dm]} float32.
     */
    public NDArray forward(NDArray x, NDArray[] cosSin, List<KvCache> caches) {
        return forward(x, cosSin, caches, null);
    }

    /**
     * As {@link #forward(NDArray, NDArray[], List)}; with {@code lengths}, {@code x [1, Σ lengths,
     * Dm]} holds several requests' prompts one after another (a packed prefill): segment i, {@code
     * lengths[i]} rows, attends only within itself and over {@code caches.get(i)}, while the
     * projections run once over all rows.
     */
    public NDArray forward(NDArray x, NDArray[] cosSin, List<KvCache> caches, int[] lengths) {
        long b = x.getShape().get(0);
        long s = x.getShape().get(1);
        NDArray qkv = wqkv.forward(x); // [B, S, (H + 2·KVH)·D]
        // q and k heads rotated in one go: [B, S, H + KVH, D]
        NDArray qk = rope.apply(qkv.get(qkSlice).reshape(b, s, heads + kvHeads, headDim), cosSin);
        NDArray q = qk.get(qHeads);
        NDArray k = qk.get(kHeads);
        NDArray v = qkv.get(vSlice).reshape(b, s, kvHeads, headDim);
        NDArray o;
        if (lengths != null) {
            if (b != 1 || lengths.length != caches.size() || Arrays.stream(lengths).sum() != s) {
                throw new IllegalArgumentException(
                        "packed rows "
                                + Arrays.toString(lengths)
                                + " for x "
                                + x.getShape()
                                + " and "
                                + caches.size()
                                + " caches");
            }
            NDList segments = new NDList(lengths.length);
            long from = 0;
            for (int i = 0; i < lengths.length; i++) {
                NDIndex rows = new NDIndex().addAllDim().addSliceDim(from, from + lengths[i]);
                segments.add(
                        attend(
                                q.get(rows),
                                k.get(rows),
                                v.get(rows),
                                caches.get(i))); // [1, S_i, H·D]
                from += lengths[i];
            }
            o = segments.size() == 1 ? segments.get(0) : NDArrays.concat(segments, 1);
        } else if (caches.size() == 1 && caches.get(0).batch() == b) {
            o = attend(q, k, v, caches.get(0));
        } else if (caches.size() <= b) {
            int n = caches.size();
            NDList rows = new NDList(n + 1);
            for (int i = 0; i < n; i++) {
                NDIndex row = new NDIndex().addSliceDim(i, i + 1);
                rows.add(attend(q.get(row), k.get(row), v.get(row), caches.get(i)));
            }
            if (n < b) {
                rows.add(x.getManager().zeros(new Shape(b - n, s, (long) heads * headDim)));
            }
            o = rows.size() == 1 ? rows.get(0) : NDArrays.concat(rows, 0); // [B, S, H·D]
        } else {
            throw new IllegalArgumentException(caches.size() + " caches for a batch of " + b);
        }
        return wo.forward(o);
    }

    /**
     * One step of {@code x [P, 1, Dm]} (already normed) for requests with their own caches, one per
     * leading row (rows beyond them are padding): the projections here, RoPE and the per-row
     * attention in one scripted call ({@link ScriptedRows}). Returns {@code [P, 1, Dm]} float32.
     */
    public NDArray step(NDArray x, ScriptedRows rows, List<KvCache> caches) {
        NDArray qkv = wqkv.forward(x); // [P, 1, (H + 2·KVH)·D]
        return wo.forward(rows.attend(qkv, rope.swap(), dims, scaleValue, caches));
    }

    /**
     * One step of {@code x [P, 1, Dm]} (already normed) for requests holding slots of a {@link
     * KvSlab}: the projections here, RoPE and the attention of all rows at once in one scripted
     * call ({@link SlabRows}) for layer {@code layer}. Returns {@code [P, 1, Dm]} float32.
     */
    public NDArray step(NDArray x, SlabRows rows, int layer) {
        NDArray qkv = wqkv.forward(x); // [P, 1, (H + 2·KVH)·D]
        return wo.forward(rows.attend(layer, qkv, rope.swap(), dims, scaleValue));
    }

    /** wqkv then wo, for the scripted step ({@link SlabBackbone}). */
    Linear[] linears() {
        return new Linear[] {wqkv, wo};
    }

    /** The batch-invariant row count for {@code rows} rows ({@link Linear#batchInvariantRows}). */
    public int batchInvariantRows(int rows) {
        return wqkv.batchInvariantRows(rows);
    }

    /**
     * {@code q [b, S, H, D]}, {@code k, v [b, S, KVH, D]} for rows sharing {@code cache} → {@code
     * [b, S, H·D]}.
     */
    private NDArray attend(NDArray q, NDArray k, NDArray v, KvCache cache) {
        long b = q.getShape().get(0);
        int s = (int) q.getShape().get(1);
        int group = heads / kvHeads;
        int start = cache.filled();
        cache.append(k.transpose(0, 2, 1, 3), v.transpose(0, 2, 1, 3)); // [b, KVH, S, D]
        int len = start + s;
        NDArray qg =
                q.reshape(b, s, kvHeads, group, headDim)
                        .transpose(0, 2, 3, 1, 4)
                        .reshape(b, kvHeads, (long) group * s, headDim); // [b, KVH, G·S, D]
        NDArray scores =
                qg.matMul(cache.keys().transpose(0, 1, 3, 2)).mul(scale); // [b, KVH, G·S, L]
        if (s > 1) {
            scores =
                    scores.reshape(b, kvHeads, group, s, len)
                            .add(causalMask(q, s, start))
                            .reshape(b, kvHeads, (long) group * s, len);
        }
        NDArray o = scores.softmax(-1).matMul(cache.values()); // [b, KVH, G·S, D]
        return o.reshape(b, kvHeads, group, s, headDim)
                .transpose(0, 3, 1, 2, 4)
                .reshape(b, s, (long) heads * headDim);
    }

    /** {@code [S, L]} float32: 0 where key j ≤ start + i (the row's own position), −∞ after. */
    private static NDArray causalMask(NDArray like, int s, int start) {
        int len = start + s;
        float[] m = new float[s * len];
        for (int i = 0; i < s; i++) {
            Arrays.fill(m, i * len + start + i + 1, (i + 1) * len, Float.NEGATIVE_INFINITY);
        }
        return like.getManager().create(m, new Shape(s, len));
    }
}
