package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;

/**
 * One step's attention over all its rows at once, layer by layer: ONE call per layer of the {@code
 * attend} method of {@code torchscript/slab_backbone.py} (the attention the whole scripted step,
 * {@link SlabBackbone}, runs; this host-driven per-layer path is its reference) runs RoPE, writes
 * every row's key and value into its request's {@link KvSlab} slot in place (one scatter) and
 * attends all rows in one masked, batched product over the slab's full context, so the kernels a
 * step launches do not grow with the batch (ScriptedRows loops over rows inside its script). The
 * step's per-step inputs (RoPE rows, slots, positions, all already on the device) are wrapped once
 * and shared by every layer; {@link #close} frees the wrappers. The caller holds {@link
 * KvSlab#lock} for the whole pass.
 */
public final class SlabRows implements AutoCloseable {
    private final KvSlab slab;
    private final IValue cos;
    private final IValue sin;
    private final IValue slots;
    private final IValue positions;

    /**
     * {@code cosSin}: the rows' RoPE tables {@code [P, 1, 1, hd]} ({@link Llama3Rope#tables});
     * {@code slots, positions [P]} int64 on the device: each row's slot (0 for padding rows) and
     * position.
     */
    public SlabRows(KvSlab slab, NDArray[] cosSin, NDArray slots, NDArray positions) {
        this.slab = slab;
        this.cos = IValue.from((PtNDArray) cosSin[0]);
        this.sin = IValue.from((PtNDArray) cosSin[1]);
        this.slots = IValue.from((PtNDArray) slots);
        this.positions = IValue.from((PtNDArray) positions);
    }

    /** {@code qkv [P, 1, (H + 2·KVH)·hd]} float32 of layer {@code layer} → {@code [P, 1, H·hd]}. */
    NDArray attend(int layer, NDArray qkv, NDArray swap, IValue dims, double scale) {
        IValue[] kv = slab.whole();
        NDManager m = qkv.getManager();
        try (IValue x = IValue.from((PtNDArray) qkv);
                IValue sw = IValue.from((PtNDArray) swap);
                IValue at = IValue.from((long) layer);
                IValue sc = IValue.from(scale);
                IValue result =
                        IValueUtils.runMethod(
                                SlabBackbone.module(),
                                "attend",
                                x,
                                cos,
                                sin,
                                sw,
                                kv[0],
                                kv[1],
                                at,
                                slots,
                                positions,
                                dims,
                                sc)) {
            return result.toTensor((PtNDManager) m);
        }
    }

    @Override
    public void close() {
        cos.close();
        sin.close();
        slots.close();
        positions.close();
    }
}
