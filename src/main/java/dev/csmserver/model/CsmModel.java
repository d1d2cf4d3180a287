package dev.csmserver.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.csmserver.nn.KvCache;
import dev.csmserver.nn.Linear;
import dev.csmserver.weights.Weights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * CSM-1B with immutable weights (spec 3): frame embedding, backbone, c0 head and depth decoder.
 * It exposes a prefill of one request ({@link #prefill}, which also yields that request's first
 * frame) and one frame step over a batch of independent requests ({@link #step}); the generation
 * loop lives in the pipeline. Each call runs inside its own {@link NDScope}: nothing outlives it but
 * the in-place KV cache writes of the requests' own managers.
 */
public final class CsmModel {
    private static final NDIndex LAST_ROW = new NDIndex(":, -1, :");

    private final CsmConfig config;
    private final NDManager manager;
    private final DataType weightType;
    private final FrameEmbedder embedder;
    private final Backbone backbone;
    private final Linear codebook0Head;
    private final DepthDecoder decoder;

    private CsmModel(CsmConfig config, NDManager manager, DataType weightType, FrameEmbedder embedder,
            Backbone backbone, Linear codebook0Head, DepthDecoder decoder) {
        this.config = config;
        this.manager = manager;
        this.weightType = weightType;
        this.embedder = embedder;
        this.backbone = backbone;
        this.codebook0Head = codebook0Head;
        this.decoder = decoder;
    }

    /** Loads canonical weights into {@code weightsManager} as float32 or float16 (norms stay float32). */
    public static CsmModel load(CsmConfig config, Weights weights, NDManager weightsManager, DataType weightType) {
        return load(config, weights, weightsManager, weightType, () -> {});
    }

    /** As {@link #load(CsmConfig, Weights, NDManager, DataType)}, calling {@code progress} after each layer. */
    public static CsmModel load(CsmConfig config, Weights weights, NDManager weightsManager, DataType weightType,
            Runnable progress) {
        if (weightType != DataType.FLOAT32 && weightType != DataType.FLOAT16) {
            throw new IllegalArgumentException("weights are float32 or float16 (bf16 aborts DJL 0.36), not " + weightType);
        }
        int d = config.backbone().embedDim();
        int v = config.audioVocabSize();
        int k = config.numCodebooks();
        FrameEmbedder embedder = new FrameEmbedder(
                weights.get(weightsManager, "text_embeddings.weight", weightType, config.textVocabSize(), d),
                weights.get(weightsManager, "audio_embeddings.weight", weightType, (long) v * k, d), v, k);
        progress.run();
        Backbone backbone = Backbone.load(weights.sub("backbone"), config.backbone(), weightsManager, weightType, progress);
        Linear c0 = Linear.load(weights.host("codebook0_head.weight", v, d), weightsManager, weightType);
        // On the CPU the depth decoder (7% of the weights, 31 of the 32 passes per frame) stays
        // float32 even with 16-bit weights: libtorch's CPU fp16 kernels are compute-bound, so 4
        // batched rows cost 3x one in fp16 but 1.25x one in fp32 (bmm).
        DataType decoderType = weightsManager.getDevice().isGpu() ? weightType : DataType.FLOAT32;
        DepthDecoder decoder = DepthDecoder.load(weights, config, weightsManager, decoderType, progress);
        return new CsmModel(config, weightsManager, weightType, embedder, backbone, c0, decoder);
    }

    /**
     * A new request: its state in a fresh sub-manager of the model's manager, with backbone caches
     * for {@code capacityRows} positions (prompt rows + frames it may generate).
     */
    public GenerationState newState(int capacityRows, Sampler sampler) {
        if (capacityRows < 1 || capacityRows > config.maxContext()) {
            throw new IllegalArgumentException("capacity " + capacityRows + " outside 1.." + config.maxContext());
        }
        NDManager requestManager = manager.newSubManager();
        try {
            return new GenerationState(requestManager, backbone.newCaches(requestManager, capacityRows), sampler);
        } catch (RuntimeException e) {
            requestManager.close();
            throw e;
        }
    }

    /** Runs the prompt through the backbone and returns the request's first frame (K codes). */
    public int[] prefill(GenerationState state, PromptRows prompt) {
        return prefill(state, prompt, samplers(List.of(state)));
    }

    /** As {@link #prefill(GenerationState, PromptRows)} with the codes chosen by {@code picker}. */
    public int[] prefill(GenerationState state, PromptRows prompt, CodePicker picker) {
        if (state.frames() != 0 || state.position() != 0) {
            throw new IllegalStateException("request already prefilled");
        }
        checkCapacity(state, prompt.rows());
        try (NDScope scope = new NDScope()) {
            NDArray x = embedder.embedRows(prompt.tokens(), prompt.mask()).expandDims(0); // [1, S, D]
            NDArray h = backbone.forward(x, java.util.Collections.singletonList(state.caches()), new int[] {state.position()});
            int[] frame = frame(h.get(LAST_ROW), picker)[0];
            state.advance(prompt.rows(), frame);
            return frame.clone();
        }
    }

    /** One frame for every request of {@code batch}: each feeds back its last frame. */
    public List<int[]> step(FrameBatch batch) {
        return step(batch, samplers(batch.states()));
    }

    /** As {@link #step(FrameBatch)} with the codes chosen by {@code picker} (row = index in the batch). */
    public List<int[]> step(FrameBatch batch, CodePicker picker) {
        List<GenerationState> states = batch.states();
        int b = states.size();
        if (b == 0) {
            return List.of();
        }
        long[][] tokens = new long[b][];
        boolean[][] mask = new boolean[b][];
        List<KvCache[]> caches = new ArrayList<>(b);
        int[] starts = new int[b];
        for (int r = 0; r < b; r++) {
            GenerationState s = states.get(r);
            checkCapacity(s, 1);
            PromptRows row = PromptRows.ofFrame(s.lastFrameRef());
            tokens[r] = row.tokens()[0];
            mask[r] = row.mask()[0];
            caches.add(s.caches());
            starts[r] = s.position();
        }
        try (NDScope scope = new NDScope()) {
            NDArray x = embedder.embedRows(tokens, mask).expandDims(1); // [B, 1, D]
            NDArray h = backbone.forward(x, caches, starts); // [B, 1, D]
            int[][] frames = frame(h.get(LAST_ROW), picker);
            List<int[]> out = new ArrayList<>(b);
            for (int r = 0; r < b; r++) {
                states.get(r).advance(1, frames[r]);
                out.add(frames[r].clone());
            }
            return out;
        }
    }

    /** c0 from the head, then the depth decoder: {@code lastH [B, D]} → codes {@code [B][K]}. */
    private int[][] frame(NDArray lastH, CodePicker picker) {
        int b = (int) lastH.getShape().get(0);
        float[] logits = codebook0Head.forward(lastH).toFloatArray(); // [B, V]
        int[] column = new int[b];
        pickAll(picker, 0, logits, picker.wantsHidden() ? lastH.toFloatArray() : null, column);
        int[][] codes = new int[b][config.numCodebooks()];
        for (int r = 0; r < b; r++) {
            codes[r][0] = column[r];
        }
        decoder.generate(lastH, codes, embedder, picker);
        return codes;
    }

    /** Splits batched host logits {@code [B·V]} (and hidden {@code [B·H]}) per row and picks each code. */
    static void pickAll(CodePicker picker, int codebook, float[] logits, float[] hidden, int[] out) {
        int b = out.length;
        int v = logits.length / b;
        for (int r = 0; r < b; r++) {
            if (hidden != null) {
                int h = hidden.length / b;
                picker.hidden(r, codebook, Arrays.copyOfRange(hidden, r * h, (r + 1) * h));
            }
            out[r] = picker.pick(r, codebook, Arrays.copyOfRange(logits, r * v, (r + 1) * v));
        }
    }

    private static CodePicker samplers(List<GenerationState> states) {
        return (row, codebook, logits) -> states.get(row).sampler().sample(logits);
    }

    private static void checkCapacity(GenerationState s, int rows) {
        if (!s.isOpen()) {
            throw new IllegalStateException("request state is closed");
        }
        if (rows > s.remainingCapacity()) {
            throw new IllegalStateException("request needs " + rows + " more positions but has "
                    + s.remainingCapacity() + " left");
        }
    }

    public CsmConfig config() {
        return config;
    }

    public DataType weightType() {
        return weightType;
    }

    /** The frame embedder (golden tests compare the prompt embedding). */
    public FrameEmbedder embedder() {
        return embedder;
    }

    /** The backbone (golden tests compare the hidden state of every prompt row). */
    public Backbone backbone() {
        return backbone;
    }

    /** Backbone caches of {@code state}, for running {@link #backbone()} directly in tests. */
    public static KvCache[] caches(GenerationState state) {
        return state.caches();
    }
}
