package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import java.util.List;

/**
 * One step's attention over rows that each have their own caches, as ONE libtorch call per layer:
 * the weightless TorchScript {@code torchscript/backbone_attention.py} runs RoPE, writes every
 * row's key and value into its request's cache in place and attends each row over its own filled
 * prefix, with the same ops in the same order as {@link GqaAttention}'s host loop (so the bits are
 * the same, and a row's bits do not depend on the rows beside it). The host loop cost about 80 JNI
 * calls per row per layer; this costs about ten per layer whatever the batch. A step's per-step
 * inputs (RoPE rows, fill levels) are converted once and shared by every layer; {@link #close}
 * frees them.
 */
public final class ScriptedRows implements AutoCloseable {
    private static final String SOURCE = "/torchscript/backbone_attention.py";
    private static volatile PtSymbolBlock module;

    private final IValue cos;
    private final IValue sin;
    private final IValue filled;
    private final int[] fill;

    /**
     * {@code cosSin}: the rows' RoPE tables {@code [P, 1, 1, hd]} ({@link Llama3Rope#tables});
     * {@code filled[r]}: rows request r's caches hold before this step (the same in every layer).
     */
    public ScriptedRows(NDArray[] cosSin, int[] filled) {
        this.fill = filled.clone();
        long[] f = new long[filled.length];
        for (int r = 0; r < f.length; r++) {
            f[r] = filled[r];
        }
        this.cos = IValue.from((PtNDArray) cosSin[0]);
        this.sin = IValue.from((PtNDArray) cosSin[1]);
        this.filled = IValue.listFrom(f);
    }

    /**
     * {@code qkv [P, 1, (H + 2·KVH)·hd]} float32 → {@code [P, 1, H·hd]} float32; appends one row to
     * each of {@code caches} (one per leading row; rows beyond them are padding, output zero).
     */
    NDArray attend(NDArray qkv, NDArray swap, IValue dims, double scale, List<KvCache> caches) {
        int n = caches.size();
        if (n != fill.length) {
            throw new IllegalArgumentException(n + " caches for " + fill.length + " rows");
        }
        PtNDArray[] keys = new PtNDArray[n];
        PtNDArray[] values = new PtNDArray[n];
        for (int r = 0; r < n; r++) {
            KvCache c = caches.get(r);
            if (c.batch() != 1 || c.filled() != fill[r]) {
                throw new IllegalStateException(
                        "row " + r + " cache holds " + c.filled() + " rows, not " + fill[r]);
            }
            if (c.filled() + 1 > c.capacity()) {
                throw new IllegalStateException(
                        "KV cache full: " + c.filled() + " + 1 > " + c.capacity());
            }
            NDArray[] storage = c.storage();
            keys[r] = (PtNDArray) storage[0];
            values[r] = (PtNDArray) storage[1];
        }
        NDManager m = qkv.getManager();
        NDArray out;
        try (IValue x = IValue.from((PtNDArray) qkv);
                IValue sw = IValue.from((PtNDArray) swap);
                IValue k = IValue.listFrom(keys);
                IValue v = IValue.listFrom(values);
                IValue sc = IValue.from(scale);
                IValue result =
                        IValueUtils.runMethod(
                                module(), "forward", x, cos, sin, sw, k, v, filled, dims, sc)) {
            out = result.toTensor((PtNDManager) m);
        }
        for (KvCache c : caches) {
            c.advance(1);
        }
        return out;
    }

    /** The compiled module, shared by every model of the process (it holds no weights). */
    static PtSymbolBlock module() {
        PtSymbolBlock m = module;
        if (m == null) {
            synchronized (ScriptedRows.class) {
                m = module;
                if (m == null) {
                    m = ScriptArchive.load(NDManager.newBaseManager(), "BackboneAttention", SOURCE);
                    module = m;
                }
            }
        }
        return m;
    }

    @Override
    public void close() {
        cos.close();
        sin.close();
        filled.close();
    }
}
