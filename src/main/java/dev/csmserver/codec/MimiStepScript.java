package dev.csmserver.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import dev.csmserver.nn.ScriptArchive;
import java.util.List;

/**
 * The device side of a batched Mimi decode step, the weightless TorchScript {@code
 * torchscript/mimi_step.py}: the whole decoder transformer of several streams as ONE libtorch call
 * (each layer's attention of every stream over its own key/value window, with RoPE, in-place window
 * writes and the sliding-window mask made on the device), each step's RoPE tables from the streams'
 * positions, and the clamp of codes the model leaves on the device. Positions, fill levels and
 * sizes go in as int lists, which are arguments, not uploads: a step moves no data but the codes up
 * and the audio down.
 */
final class MimiStepScript {
    private static final String SOURCE = "/torchscript/mimi_step.py";
    private static volatile PtSymbolBlock module;

    private MimiStepScript() {}

    /**
     * RoPE cos and sin {@code [2, B, 1, T, Dh/2]} of stream r's positions {@code starts[r] ..
     * starts[r] + steps - 1}, as {@link MimiRope#tables} computes them; {@code freqs [Dh/2]}.
     */
    static NDArray tables(NDArray freqs, long[] starts, int steps) {
        try (IValue f = IValue.from((PtNDArray) freqs);
                IValue s = IValue.listFrom(starts);
                IValue n = IValue.from((long) steps);
                IValue out = IValueUtils.runMethod(module(), "tables", f, s, n)) {
            return out.toTensor((PtNDManager) freqs.getManager());
        }
    }

    /**
     * The decoder transformer over {@code x [B, T, D]} → {@code [B, T, D]} in its manager: layer
     * l's attention of row r writes its T new keys and values at {@code at[l·B + r]} of {@code
     * windows.get(l·B + r)}'s buffers and attends over the {@code cached[l·B + r]} steps before
     * them plus the new ones. {@code weights}, {@code dims}: see the script.
     */
    static NDArray transformer(
            NDArray x,
            IValue weights,
            NDArray rope,
            List<KvWindow> windows,
            long[] at,
            long[] cached,
            IValue dims,
            double eps,
            double scale) {
        int n = windows.size();
        PtNDArray[] keys = new PtNDArray[n];
        PtNDArray[] values = new PtNDArray[n];
        for (int i = 0; i < n; i++) {
            keys[i] = (PtNDArray) windows.get(i).keys();
            values[i] = (PtNDArray) windows.get(i).values();
        }
        try (IValue h = IValue.from((PtNDArray) x);
                IValue cs = IValue.from((PtNDArray) rope);
                IValue k = IValue.listFrom(keys);
                IValue v = IValue.listFrom(values);
                IValue a = IValue.listFrom(at);
                IValue c = IValue.listFrom(cached);
                IValue e = IValue.from(eps);
                IValue s = IValue.from(scale);
                IValue out =
                        IValueUtils.runMethod(
                                module(), "transformer", h, weights, cs, k, v, a, c, dims, e, s)) {
            return out.toTensor((PtNDManager) x.getManager());
        }
    }

    /** Codes {@code [B, K]} or {@code [B, K, T]} int64 → {@code [B, K, T]} within {@code bins}. */
    static NDArray clampCodes(NDArray codes, int bins) {
        try (IValue c = IValue.from((PtNDArray) codes);
                IValue b = IValue.from((long) bins);
                IValue out = IValueUtils.runMethod(module(), "codes", c, b)) {
            return out.toTensor((PtNDManager) codes.getManager());
        }
    }

    /** Compiles the module now (at load), not in the first request. */
    static void compile() {
        module();
    }

    /** The compiled module, shared by every codec of the process (it holds no weights). */
    private static PtSymbolBlock module() {
        PtSymbolBlock m = module;
        if (m == null) {
            synchronized (MimiStepScript.class) {
                m = module;
                if (m == null) {
                    m = ScriptArchive.load(NDManager.newBaseManager(), "MimiStep", SOURCE);
                    module = m;
                }
            }
        }
        return m;
    }
}
