package dev.csmserver.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import dev.csmserver.nn.FbgemmFp16;
import dev.csmserver.nn.Linear;
import dev.csmserver.nn.LlamaConfig;
import dev.csmserver.nn.ScriptArchive;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A frame's heads in ONE libtorch call: the c0 head, each row's sampling, and the K-1 depth decoder
 * steps with their KV cache and sampling, as the weightless TorchScript module {@code
 * torchscript/csm_heads.py} with the weights passed in (the same row blocks, packing and products
 * {@link Linear} runs, so codes and logits are the host-driven path's). Per frame the host sends
 * the rows' sampling settings with each row's noise stream state ({@code [B, 4]}, one upload; the
 * device draws the noise of the entries the race can pick, {@link Sampler}), and reads back the
 * codes {@code [B, K]}.
 */
final class FrameHeads {
    private static final String SOURCE = "/torchscript/csm_heads.py";
    private static volatile PtSymbolBlock module;

    private final IValue weights; // the tensors in the order the script reads them
    private final IValue blocks; // row blocks per linear
    private final IValue dims;
    private final IValue pad; // FBGEMM's batch-invariant row counts 0..120, or empty
    private final NDArray noneForced; // [0] int64
    private final int k;
    private final int vocab;
    private final int decoderDim;

    private FrameHeads(
            IValue weights,
            IValue blocks,
            IValue dims,
            IValue pad,
            NDArray noneForced,
            CsmConfig config) {
        this.weights = weights;
        this.blocks = blocks;
        this.dims = dims;
        this.pad = pad;
        this.noneForced = noneForced;
        this.k = config.numCodebooks();
        this.vocab = config.audioVocabSize();
        this.decoderDim = config.decoder().embedDim();
    }

    /**
     * The heads over {@code c0}, {@code decoder} and the decoder's audio table {@code [V·K, D]};
     * the constants it makes live in {@code manager} (the weights').
     */
    static FrameHeads create(
            CsmConfig config,
            Linear c0,
            DepthDecoder decoder,
            NDArray decoderAudio,
            NDManager manager) {
        LlamaConfig c = decoder.config();
        List<Linear> linears = new ArrayList<>();
        linears.add(c0);
        linears.add(decoder.projection());
        for (Linear[] layer : decoder.layerLinears) {
            linears.addAll(Arrays.asList(layer));
        }
        linears.addAll(Arrays.asList(decoder.audioHeads()));
        boolean packed = c0.packed();
        boolean conv = c0.convolvesManyRows();
        List<PtNDArray> tensors = new ArrayList<>();
        long[] blockCounts = new long[linears.size()];
        for (int j = 0; j < blockCounts.length; j++) {
            Linear l = linears.get(j);
            if (l.packed() != packed || l.convolvesManyRows() != conv) {
                throw new IllegalStateException("the heads' weights are held in different ways");
            }
            List<NDArray> b = l.rowBlocks();
            blockCounts[j] = b.size();
            b.forEach(a -> tensors.add((PtNDArray) a));
        }
        int blockTotal = tensors.size(); // the linears' blocks come first
        for (NDArray[] norms : decoder.layerNorms) {
            tensors.add((PtNDArray) norms[0]);
            tensors.add((PtNDArray) norms[1]);
        }
        tensors.add((PtNDArray) decoder.normScale);
        tensors.add((PtNDArray) decoderAudio);
        int hd = c.headDim();
        // Llama3Rope's pair swap, out[2i] = -x[2i+1] and out[2i+1] = x[2i], as a source index and
        // a sign folded into sin (x · ±1 and the swap are exact, so the bits are the product's)
        long[] from = new long[hd];
        float[] sign = new float[hd];
        for (int i = 0; i < hd / 2; i++) {
            from[2 * i] = 2 * i + 1;
            sign[2 * i] = -1f;
            from[2 * i + 1] = 2 * i;
            sign[2 * i + 1] = 1f;
        }
        String positions = ":, 0:" + config.numCodebooks(); // the decoder's K positions
        tensors.add((PtNDArray) decoder.ropeTables[0].get(positions)); // [1, K, 1, hd]
        tensors.add(
                (PtNDArray)
                        decoder.ropeTables[1]
                                .get(positions)
                                .mul(manager.create(sign, new Shape(hd)))); // [1, K, 1, hd]
        tensors.add((PtNDArray) manager.create(from, new Shape(hd))); // [hd] int64
        tensors.add((PtNDArray) manager.create((float) c.normEps())); // 0-d, as RmsNorm's
        tensors.add((PtNDArray) manager.create(-0.5f));
        tensors.add((PtNDArray) manager.zeros(new Shape(1), DataType.FLOAT32)); // FBGEMM bias
        tensors.add(
                (PtNDArray)
                        manager.create(
                                new float[] {0f, Float.NEGATIVE_INFINITY, 0f, 0f},
                                new Shape(2, 2))); // step 1's causal mask [S, L]
        tensors.add((PtNDArray) manager.create((float) c.embedDim())); // 0-d: the norms' width
        tensors.add((PtNDArray) manager.create((float) (1.0 / Math.sqrt(hd)))); // 0-d
        // unpacked weights' transposed views (no copies), for the script's matmul(x, w.t())
        int transposed = tensors.size();
        if (!packed) {
            for (int j = 0; j < blockTotal; j++) {
                tensors.add((PtNDArray) tensors.get(j).transpose());
            }
        }
        long[] padTable = new long[0];
        if (packed) {
            FbgemmFp16 gemm = FbgemmFp16.available().orElseThrow();
            padTable = new long[121];
            for (int m = 0; m < padTable.length; m++) {
                padTable[m] = gemm.batchInvariantRows(m);
            }
        }
        long[] d = {
            config.numCodebooks(),
            config.audioVocabSize(),
            c.numLayers(),
            c.numHeads(),
            c.numKvHeads(),
            hd,
            c.intermediateDim(),
            packed ? 1 : 0,
            conv ? 1 : 0,
            c.embedDim(),
            transposed
        };
        IValue w = IValue.listFrom(tensors.toArray(new PtNDArray[0]));
        IValue b = IValue.listFrom(blockCounts);
        IValue dv = IValue.listFrom(d);
        IValue p = IValue.listFrom(padTable);
        // the lists hold references to the weights: freed with the weights' manager
        manager.attachInternal("frame-heads-" + System.identityHashCode(w), w, b, dv, p);
        module(); // compiled now, not in the first request
        return new FrameHeads(w, b, dv, p, manager.zeros(new Shape(0), DataType.INT64), config);
    }

    /** The compiled module, shared by every model of the process (it holds no weights). */
    static PtSymbolBlock module() {
        PtSymbolBlock m = module;
        if (m == null) {
            synchronized (FrameHeads.class) {
                m = module;
                if (m == null) {
                    m = ScriptArchive.load(NDManager.newBaseManager(), "CsmHeads", SOURCE);
                    module = m;
                }
            }
        }
        return m;
    }

    /**
     * Codes {@code [B][K]} from the backbone's last hidden {@code lastH [B, D]} float32, row r
     * sampled by {@code samplers.get(r)} (which draws that row's noise), or as {@code picker}
     * forces; records what {@code picker} asks for. Its tensors land in lastH's manager.
     */
    int[][] run(NDArray lastH, List<Sampler> samplers, CodePicker picker) {
        return runOnDevice(lastH, samplers, picker).host();
    }

    /** The codes of a frame: {@code [B][K]} on the host and {@code [B, K]} int64 on the device. */
    record Codes(int[][] host, NDArray device) {}

    /**
     * As {@link #run}, also giving the codes as they are on the device (in lastH's manager). The
     * rows' settings go up in ONE upload {@code [B, 4]} (temperature, top-k, noise stream) and the
     * codes come down in one read: two transfers a frame.
     */
    Codes runOnDevice(NDArray lastH, List<Sampler> samplers, CodePicker picker) {
        int b = (int) lastH.getShape().get(0);
        NDManager m = lastH.getManager();
        NDArray settings = m.create(settings(samplers, k * vocab, vocab), new Shape(b, 4));
        long maxK = maxK(samplers, vocab);
        NDArray forced = noneForced;
        if (picker.forces()) {
            long[] f = new long[b * k]; // [B, K], -1: choose
            for (int r = 0; r < b; r++) {
                for (int c = 0; c < k; c++) {
                    f[r * k + c] = picker.forced(r, c);
                }
            }
            forced = m.create(f, new Shape(b, k));
        }
        boolean record = picker.records();
        NDArray[] out = new NDArray[3];
        try (IValue h = IValue.from((PtNDArray) lastH);
                IValue p = IValue.from((PtNDArray) settings);
                IValue mk = IValue.from(maxK);
                IValue fc = IValue.from((PtNDArray) forced);
                IValue rec = IValue.from(record);
                IValue ag = IValue.from(samplers.stream().anyMatch(Sampler::isGreedy));
                IValue result =
                        IValueUtils.runMethod(
                                module(), "forward", h, weights, blocks, dims, pad, p, mk, fc, rec,
                                ag)) {
            IValue[] parts = result.toIValueTuple();
            try {
                for (int i = 0; i < 3; i++) {
                    out[i] = parts[i].toTensor((PtNDManager) m);
                }
            } finally {
                for (IValue part : parts) {
                    part.close();
                }
            }
        }
        long[] flat = out[0].toLongArray(); // [B, K]
        int[][] codes = new int[b][k];
        for (int r = 0; r < b; r++) {
            for (int c = 0; c < k; c++) {
                codes[r][c] = Math.toIntExact(flat[r * k + c]);
            }
        }
        if (record) {
            float[] logits = out[1].toFloatArray(); // [B, K, V]
            float[] hidden = out[2].toFloatArray(); // [B, K-1, Ddec]
            float[] last = lastH.toFloatArray(); // [B, D]
            int d = last.length / b;
            for (int r = 0; r < b; r++) {
                picker.hidden(r, 0, Arrays.copyOfRange(last, r * d, (r + 1) * d));
                for (int c = 0; c < k; c++) {
                    int at = (r * k + c) * vocab;
                    picker.logits(r, c, Arrays.copyOfRange(logits, at, at + vocab));
                    if (c > 0) {
                        int hat = (r * (k - 1) + c - 1) * decoderDim;
                        picker.hidden(r, c, Arrays.copyOfRange(hidden, hat, hat + decoderDim));
                    }
                }
            }
        }
        return new Codes(codes, out[0]);
    }

    /**
     * Each row's {@code [temperature, top-k, noise stream's high and low 32 bits]} for a frame that
     * uses {@code draws} values of each sampling row's stream (greedy rows use none), as {@code [B
     * * 4]} doubles (each value exact in one).
     */
    private static double[] settings(List<Sampler> samplers, int draws, int vocab) {
        double[] up = new double[samplers.size() * 4];
        for (int r = 0; r < samplers.size(); r++) {
            Sampler s = samplers.get(r);
            long stream = s.isGreedy() ? 0 : s.frameStream(draws);
            up[4 * r] = s.temperature();
            up[4 * r + 1] = Math.min(s.topK(), vocab);
            up[4 * r + 2] = stream >> 32; // signed
            up[4 * r + 3] = stream & 0xFFFFFFFFL;
        }
        return up;
    }

    /**
     * The largest top-k of a sampling row, 1 when every row is greedy (the script samples none).
     */
    private static long maxK(List<Sampler> samplers, int vocab) {
        int maxK = 1;
        for (Sampler s : samplers) {
            if (!s.isGreedy()) {
                maxK = Math.max(maxK, Math.min(s.topK(), vocab));
            }
        }
        return maxK;
    }

    /**
     * The device sampling alone, for tests: one code per row of {@code logits [B, V]} float32 with
     * {@code samplers} (each uses V values of its stream, as for one codebook of a frame).
     */
    static long[] sample(NDArray logits, List<Sampler> samplers) {
        int b = (int) logits.getShape().get(0);
        int v = (int) logits.getShape().get(1);
        NDManager m = logits.getManager();
        try (IValue l = IValue.from((PtNDArray) logits);
                IValue p =
                        IValue.from(
                                (PtNDArray) m.create(settings(samplers, v, v), new Shape(b, 4)));
                IValue mk = IValue.from(maxK(samplers, v));
                IValue result = IValueUtils.runMethod(module(), "sample", l, p, mk)) {
            return result.toTensor((PtNDManager) m).toLongArray();
        }
    }
}
