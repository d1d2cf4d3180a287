package dev.csmserver.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.csmserver.nn.IntraOpThreads;
import dev.csmserver.nn.KvCache;
import dev.csmserver.nn.Linear;
import dev.csmserver.weights.CsmCheckpoint;
import dev.csmserver.weights.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * CSM-1B with immutable weights (spec 3): frame embedding, backbone, c0 head and depth decoder. It
 * exposes a prefill of one request ({@link #prefill}, which also yields that request's first frame,
 * or {@link #prefillPrompt}, which leaves the first frame to the next batched step) and one frame
 * step over a batch of independent requests ({@link #step}); the generation loop lives in the
 * pipeline. Each call runs inside its own {@link NDScope}: nothing outlives it but the in-place KV
 * cache writes of the requests' own managers.
 */
public final class CsmModel {
    private static final NDIndex LAST_ROW = new NDIndex(":, -1, :");

    private final CsmConfig config;
    private final NDManager manager;
    private final DataType weightType;
    private final FrameEmbedder embedder;

    /** The depth decoder's code embedding: {@link #embedder} unless the checkpoint unties it. */
    private final FrameEmbedder decoderEmbedder;

    private final Backbone backbone;
    private final Linear codebook0Head;
    private final DepthDecoder decoder;
    private final FrameHeads heads;
    private volatile boolean hostHeads;

    /** A step input's code columns {@code [P, K]} and position column {@code [P]}. */
    private final NDIndex codeColumns;

    private final NDIndex positionColumn;

    private CsmModel(
            CsmConfig config,
            NDManager manager,
            DataType weightType,
            FrameEmbedder embedder,
            FrameEmbedder decoderEmbedder,
            Backbone backbone,
            Linear codebook0Head,
            DepthDecoder decoder,
            FrameHeads heads) {
        this.heads = heads;
        this.config = config;
        this.manager = manager;
        this.weightType = weightType;
        this.embedder = embedder;
        this.decoderEmbedder = decoderEmbedder;
        this.backbone = backbone;
        this.codebook0Head = codebook0Head;
        this.decoder = decoder;
        this.codeColumns = new NDIndex().addAllDim().addSliceDim(0, config.numCodebooks());
        this.positionColumn = new NDIndex().addAllDim().addIndices(config.numCodebooks());
    }

    /**
     * Loads canonical weights into {@code weightsManager} as float32 or float16 (norms stay
     * float32).
     */
    public static CsmModel load(
            CsmConfig config, Weights weights, NDManager weightsManager, DataType weightType) {
        return load(config, weights, weightsManager, weightType, () -> {});
    }

    /**
     * As {@link #load(CsmConfig, Weights, NDManager, DataType)}, calling {@code progress} after
     * each layer.
     */
    public static CsmModel load(
            CsmConfig config,
            Weights weights,
            NDManager weightsManager,
            DataType weightType,
            Runnable progress) {
        if (weightType != DataType.FLOAT32 && weightType != DataType.FLOAT16) {
            throw new IllegalArgumentException(
                    "weights are float32 or float16 (bf16 aborts DJL 0.36), not " + weightType);
        }
        int d = config.backbone().embedDim();
        int v = config.audioVocabSize();
        int k = config.numCodebooks();
        NDArray text =
                weights.get(
                        weightsManager,
                        "text_embeddings.weight",
                        weightType,
                        config.textVocabSize(),
                        d);
        FrameEmbedder embedder =
                new FrameEmbedder(
                        text,
                        weights.get(
                                weightsManager,
                                "audio_embeddings.weight",
                                weightType,
                                (long) v * k,
                                d),
                        v,
                        k);
        // A transformers checkpoint with tie_codebooks_embeddings=false gives the depth decoder its
        // own audio table; it shares the text table (never read by embedCodes) and the progress
        // step of the frame embedding, so the number of steps does not depend on the checkpoint.
        FrameEmbedder decoderEmbedder =
                !weights.has(CsmCheckpoint.DECODER_AUDIO_EMBEDDINGS)
                        ? embedder
                        : new FrameEmbedder(
                                text,
                                weights.get(
                                        weightsManager,
                                        CsmCheckpoint.DECODER_AUDIO_EMBEDDINGS,
                                        weightType,
                                        (long) v * k,
                                        d),
                                v,
                                k); // [V·K, D]
        progress.run();
        Backbone backbone =
                Backbone.load(
                        weights.sub("backbone"),
                        config.backbone(),
                        weightsManager,
                        weightType,
                        progress);
        Linear c0 =
                Linear.load(
                        weights.host("codebook0_head.weight", v, d), weightsManager, weightType);
        // The depth decoder takes the same type: in float16 on this CPU its 31 steps per frame are
        // 15% faster at batch 1 and 6% slower at batch 4 than in float32 (alternating in-JVM runs),
        // and the weights are then exactly half.
        DepthDecoder decoder =
                DepthDecoder.load(weights, config, weightsManager, weightType, progress);
        return new CsmModel(
                config,
                weightsManager,
                weightType,
                embedder,
                decoderEmbedder,
                backbone,
                c0,
                decoder,
                FrameHeads.create(
                        config, c0, decoder, decoderEmbedder.audioTable(), weightsManager));
    }

    /**
     * A new request: its state in a fresh sub-manager of the model's manager, with backbone caches
     * for {@code capacityRows} positions (prompt rows + frames it may generate).
     */
    public GenerationState newState(int capacityRows, Sampler sampler) {
        if (capacityRows < 1 || capacityRows > config.maxContext()) {
            throw new IllegalArgumentException(
                    "capacity " + capacityRows + " outside 1.." + config.maxContext());
        }
        NDManager requestManager = manager.newSubManager();
        try {
            return new GenerationState(
                    requestManager, backbone.newCaches(requestManager, capacityRows), sampler);
        } catch (RuntimeException | Error e) {
            requestManager.close();
            throw e;
        }
    }

    /** Runs the prompt through the backbone and returns the request's first frame (K codes). */
    public int[] prefill(GenerationState state, PromptRows prompt) {
        return prefill(state, prompt, CodePicker.NONE);
    }

    /** As {@link #prefill(GenerationState, PromptRows)} with the codes chosen by {@code picker}. */
    public int[] prefill(GenerationState state, PromptRows prompt, CodePicker picker) {
        try (NDScope scope = new NDScope()) {
            NDArray h = promptForward(state, prompt);
            int[] frame = frame(h.get(LAST_ROW), List.of(state), picker)[0];
            state.advance(prompt.rows(), frame);
            return frame.clone();
        }
    }

    /**
     * Runs the prompt through the backbone and keeps its last output in {@code state}; the first
     * frame is made by the next {@link #step}, batched with the frames of the requests already
     * running (a request joining a running batch then costs it its prompt, not also a frame at
     * batch 1). Codes are the same as {@link #prefill} then {@link #step}.
     */
    public void prefillPrompt(GenerationState state, PromptRows prompt) {
        prefillPrompts(List.of(state), List.of(prompt));
    }

    /**
     * {@link #prefillPrompt} for several fresh requests at once: their prompts run through the
     * backbone as one packed sequence (each attending only to itself), so requests admitted
     * together read the weights once instead of once each.
     */
    public void prefillPrompts(List<GenerationState> states, List<PromptRows> prompts) {
        if (states.size() != prompts.size() || states.isEmpty()) {
            throw new IllegalArgumentException(
                    states.size() + " states for " + prompts.size() + " prompts");
        }
        int n = states.size();
        int[] lengths = new int[n];
        List<KvCache[]> caches = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            GenerationState state = states.get(i);
            state.requireFresh(prompts.get(i).rows());
            lengths[i] = prompts.get(i).rows();
            caches.add(state.caches());
        }
        try (NDScope scope = new NDScope()) {
            NDList rows = new NDList(n);
            for (PromptRows p : prompts) {
                rows.add(embedder.embedRows(p.tokens(), p.mask())); // [S_i, D]
            }
            NDArray x =
                    (n == 1 ? rows.get(0) : NDArrays.concat(rows, 0)).expandDims(0); // [1, ΣS, D]
            NDArray h = backbone.forwardPacked(x, caches, new int[n], lengths); // [1, ΣS, D]
            int end = 0;
            for (int i = 0; i < n; i++) {
                end += lengths[i];
                NDArray last =
                        h.get(new NDIndex().addAllDim().addSliceDim(end - 1, end))
                                .squeeze(1); // [1, D]
                states.get(i).prompted(lengths[i], last.duplicate());
            }
        }
    }

    /** The backbone over a fresh request's prompt: {@code [1, S, D]}, in the caller's scope. */
    private NDArray promptForward(GenerationState state, PromptRows prompt) {
        state.requireFresh(prompt.rows());
        NDArray x = embedder.embedRows(prompt.tokens(), prompt.mask()).expandDims(0); // [1, S, D]
        return backbone.forward(
                x,
                java.util.Collections.singletonList(state.caches()),
                new int[] {state.position()});
    }

    /** One frame for every request of {@code batch}: each feeds back its last frame. */
    public List<int[]> step(FrameBatch batch) {
        return step(batch, CodePicker.NONE);
    }

    /**
     * As {@link #step(FrameBatch)} with the codes chosen by {@code picker} (row = index in the
     * batch). The calling thread runs it with one libtorch intra-op thread ({@link
     * IntraOpThreads}): in-JVM A/B on CSM-1B shapes, float16 batch 1 370 vs 499 ms per step, batch
     * 4 1249 vs 1360; float32 664 vs 717 and 1425 vs 1523.
     */
    public List<int[]> step(FrameBatch batch, CodePicker picker) {
        return IntraOpThreads.single(() -> stepBatch(batch, picker));
    }

    private List<int[]> stepBatch(FrameBatch batch, CodePicker picker) {
        List<GenerationState> states = batch.states();
        int b = states.size();
        if (b == 0) {
            return List.of();
        }
        List<GenerationState> feeding = new ArrayList<>(b); // rows that feed back their last frame
        for (GenerationState s : states) {
            s.requireRoom(s.awaitsFirstFrame() ? 0 : 1);
            if (!s.awaitsFirstFrame()) {
                feeding.add(s);
            }
        }
        try (NDScope scope = new NDScope()) {
            NDArray stepped = feeding.isEmpty() ? null : backboneStep(feeding); // [F, D]
            NDArray lastH =
                    feeding.size() == b ? stepped : withPromptRows(states, stepped); // [B, D]
            int[][] frames = frame(lastH, states, picker);
            List<int[]> out = new ArrayList<>(b);
            for (int r = 0; r < b; r++) {
                GenerationState s = states.get(r);
                if (s.awaitsFirstFrame()) {
                    s.firstFrame(frames[r]);
                } else {
                    s.advance(1, frames[r]);
                }
                out.add(frames[r].clone());
            }
            return out;
        }
    }

    /**
     * One backbone position for each of {@code states}, fed its last frame: the last hidden {@code
     * [F, D]}. The step's input, every row's codes and position, goes to the device in ONE upload;
     * the embedding, RoPE rows and attention are device ops from there. The rows are padded once to
     * a batch-invariant count ({@link Backbone#batchInvariantRows}: zero codes at position 0,
     * dropped at the end) so no product pads its own.
     */
    private NDArray backboneStep(List<GenerationState> states) {
        int n = states.size();
        int k = config.numCodebooks();
        int rows = backbone.batchInvariantRows(n);
        long[] input = new long[rows * (k + 1)]; // [P, K+1]: codes c0..cK-1, then the position
        List<KvCache[]> caches = new ArrayList<>(n);
        int[] starts = new int[n];
        for (int r = 0; r < n; r++) {
            GenerationState s = states.get(r);
            int[] frame = s.lastFrameRef();
            for (int c = 0; c < k; c++) {
                if (frame[c] < 0 || frame[c] >= config.audioVocabSize()) {
                    String bad = "audio code %d outside [0, %d)";
                    throw new IllegalArgumentException(
                            String.format(bad, frame[c], config.audioVocabSize()));
                }
                input[r * (k + 1) + c] = frame[c];
            }
            input[r * (k + 1) + k] = s.position();
            caches.add(s.caches());
            starts[r] = s.position();
        }
        NDArray in = manager.create(input, new Shape(rows, k + 1)); // [P, K+1] int64
        NDArray x = embedder.embedFrames(in.get(codeColumns)).expandDims(1); // [P, 1, D]
        NDArray h = backbone.step(x, in.get(positionColumn), caches, starts).get(LAST_ROW);
        return rows == n ? h : h.get(new NDIndex().addSliceDim(0, n)); // [F, D]
    }

    /**
     * The batch's last hidden {@code [B, D]}: stepped rows in order, prompt outputs where a row
     * awaits its first frame.
     */
    private static NDArray withPromptRows(List<GenerationState> states, NDArray stepped) {
        NDList rows = new NDList(states.size());
        int next = 0;
        for (GenerationState s : states) {
            rows.add(
                    s.awaitsFirstFrame()
                            ? s.promptHidden()
                            : stepped.get(new NDIndex().addSliceDim(next, next + 1))); // [1, D]
            next += s.awaitsFirstFrame() ? 0 : 1;
        }
        return NDArrays.concat(rows, 0);
    }

    /**
     * Codes {@code [B][K]} for {@code lastH [B, D]}, row r sampled by {@code states.get(r)}'s
     * sampler: one call of the scripted heads ({@link FrameHeads}).
     */
    private int[][] frame(NDArray lastH, List<GenerationState> states, CodePicker picker) {
        picker.headsStarting();
        if (hostHeads) {
            return new HostHeads(config, codebook0Head, decoder, decoderEmbedder)
                    .frame(lastH, picker);
        }
        return heads.run(lastH, states.stream().map(GenerationState::sampler).toList(), picker);
    }

    /**
     * Tests: run the heads as host-driven DJL calls ({@link HostHeads}, greedy or forced codes
     * only) instead of the script, to compare the two.
     */
    void useHostHeads(boolean host) {
        this.hostHeads = host;
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
