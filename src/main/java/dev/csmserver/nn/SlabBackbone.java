package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A whole backbone step over a {@link KvSlab} as ONE libtorch call, the CUDA-shaped path: the
 * weightless TorchScript {@code torchscript/slab_backbone.py} runs every layer ({@link
 * LlamaLayer#step(NDArray, SlabRows, int)}'s ops, in its order and dtypes, its attention being the
 * script's own {@code attend}, which {@link SlabRows} also runs) and the final norm, so the hidden
 * states are bit for bit the per-layer path's while the host makes about ten JNI calls a step
 * instead of about 130 a layer (each a kernel launch or a free on a GPU). The weights go in as ONE
 * list made once at load; it holds references to them, so it is attached to the weights' manager
 * and freed with them.
 */
public final class SlabBackbone {
    private static final String SOURCE = "/torchscript/slab_backbone.py";
    private static volatile PtSymbolBlock module;

    private final IValue[] held; // weights, dims, scale: made once, closed with the weights

    private SlabBackbone(IValue[] held) {
        this.held = held;
    }

    /**
     * The step over {@code layers} then {@code norm} (the final RmsNorm), RoPE from {@code rope};
     * its list and constants live as long as {@code manager}, the weights'.
     */
    public static SlabBackbone create(
            LlamaLayer[] layers, RmsNorm norm, Llama3Rope rope, LlamaConfig c, NDManager manager) {
        List<NDArray> ws = new ArrayList<>(6 * layers.length + 6);
        for (LlamaLayer layer : layers) {
            ws.addAll(Arrays.asList(layer.stepTensors()));
        }
        ws.add(norm.scale());
        ws.addAll(Arrays.asList(rope.fullTables())); // [maxPos, hd] each
        ws.add(rope.swap()); // [hd, hd]
        ws.add(manager.create((float) c.normEps())); // 0-d, as RmsNorm's
        ws.add(manager.create(-0.5f));
        IValue[] held = {
            IValue.listFrom(ws.stream().map(a -> (PtNDArray) a).toArray(PtNDArray[]::new)),
            IValue.listFrom(
                    c.numHeads(),
                    c.numKvHeads(),
                    c.headDim(),
                    layers.length,
                    c.intermediateDim()), // as GqaAttention's dims, then L, I
            IValue.from((double) (float) (1.0 / Math.sqrt(c.headDim()))) // as GqaAttention's
        };
        // the list holds references to the weights: freed with the weights' manager
        manager.attachInternal("slab-backbone-" + System.identityHashCode(held[0]), held);
        module(); // compiled now, not in the first request
        return new SlabBackbone(held);
    }

    /**
     * One position for each row of {@code x [P, 1, D]} float32, {@code positions, slots [P]} int64
     * on the device (padding rows: slot 0, position 0), through every layer and the final norm; the
     * rows' keys and values are written into their slots of {@code slab}. The caller holds {@link
     * KvSlab#lock}. → {@code [P, 1, D]} float32 in x's manager.
     */
    public NDArray step(NDArray x, NDArray positions, NDArray slots, KvSlab slab) {
        IValue[] kv = slab.whole();
        try (IValue in = IValue.from((PtNDArray) x);
                IValue at = IValue.from((PtNDArray) positions);
                IValue slot = IValue.from((PtNDArray) slots);
                IValue out =
                        IValueUtils.runMethod(
                                module(), "forward", in, at, slot, kv[0], kv[1], held[0], held[1],
                                held[2])) {
            return out.toTensor((PtNDManager) x.getManager());
        }
    }

    /**
     * Whether the list and constants made at load are freed (after the weights' manager closed).
     */
    public boolean released() {
        return Arrays.stream(held).allMatch(IValue::isReleased);
    }

    /** The compiled module, shared by every model of the process (it holds no weights). */
    static PtSymbolBlock module() {
        PtSymbolBlock m = module;
        if (m == null) {
            synchronized (SlabBackbone.class) {
                m = module;
                if (m == null) {
                    m = ScriptArchive.load(NDManager.newBaseManager(), "SlabBackbone", SOURCE);
                    module = m;
                }
            }
        }
        return m;
    }
}
