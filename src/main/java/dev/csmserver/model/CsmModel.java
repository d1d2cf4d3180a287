package dev.csmserver.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.csmserver.nn.ComputePath;
import dev.csmserver.nn.IntraOpThreads;
import dev.csmserver.nn.KvCache;
import dev.csmserver.nn.KvSlab;
import dev.csmserver.nn.Linear;
import dev.csmserver.nn.Nd;
import dev.csmserver.weights.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * CSM-1B with immutable weights (spec 3): frame embedding, backbone, c0 head and depth decoder. It
 * exposes a prefill of one request ({@link #prefill}, which also yields that request's first frame,
 * or {@link #prefillPrompt}, which leaves the first frame to the next batched step) and one frame
 * step over a batch of independent requests ({@link #step}); the generation loop lives in the
 * pipeline. Each call runs inside its own {@link NDScope}: nothing outlives it but the in-place KV
 * cache writes of the requests' own managers.
 *
 * <p>On the CUDA-shaped path ({@link ComputePath#CUDA_SHAPED}) the requests' backbone caches are
 * slots of one {@link KvSlab} this model owns, so a step attends all its rows in one batched call
 * per layer; a request takes its slot in {@link #newState} and hands it back on {@link
 * GenerationState#close}. Passes over the slab hold its lock (it may grow between them).
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

    /** The requests' backbone caches on the CUDA-shaped path; null on the CPU's default. */
    private final KvSlab slab;

    private final BackboneStep backboneStep;

    CsmModel(
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
        this.slab =
                ComputePath.of(manager) == ComputePath.CUDA_SHAPED
                        ? backbone.newSlab(manager, config.maxContext())
                        : null;
        this.backboneStep = new BackboneStep(config, manager, embedder, backbone, slab);
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
        return CsmModelLoader.load(config, weights, weightsManager, weightType, progress);
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
        KvSlab.Slot slot = null;
        try {
            if (slab != null) {
                slot = slab.acquire(capacityRows);
                return new GenerationState(requestManager, slot, sampler);
            }
            return new GenerationState(
                    requestManager, backbone.newCaches(requestManager, capacityRows), sampler);
        } catch (RuntimeException | Error e) {
            if (slot != null) {
                slot.release();
            }
            requestManager.close();
            throw e;
        }
    }

    /**
     * Makes room for {@code requests} running at once up front (the batch limit), so no {@link
     * #newState} pays for growing the CUDA-shaped path's slab; nothing on the CPU's default path.
     */
    public void reserveRequests(int requests) {
        if (slab != null) {
            slab.reserve(requests);
        }
    }

    /** Requests holding a slab slot now (0 on the CPU's default path): leak tests. */
    public int slotsInUse() {
        return slab == null ? 0 : slab.inUse();
    }

    /** Runs {@code pass} holding the slab's lock when there is one (its storage stays put). */
    private <T> T overCaches(Supplier<T> pass) {
        if (slab == null) {
            return pass.get();
        }
        synchronized (slab.lock()) {
            return pass.get();
        }
    }

    /** Runs the prompt through the backbone and returns the request's first frame (K codes). */
    public int[] prefill(GenerationState state, PromptRows prompt) {
        return prefill(state, prompt, CodePicker.NONE);
    }

    /** As {@link #prefill(GenerationState, PromptRows)} with the codes chosen by {@code picker}. */
    public int[] prefill(GenerationState state, PromptRows prompt, CodePicker picker) {
        return overCaches(() -> prefillOne(state, prompt, picker));
    }

    private int[] prefillOne(GenerationState state, PromptRows prompt, CodePicker picker) {
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
        overCaches(
                () -> {
                    prefillPacked(states, prompts);
                    return null;
                });
    }

    private void prefillPacked(List<GenerationState> states, List<PromptRows> prompts) {
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
        return IntraOpThreads.single(() -> overCaches(() -> stepBatch(batch, picker, null)))
                .frames();
    }

    /**
     * As {@link #step(FrameBatch)}, also keeping the frame's codes as they are on the device,
     * {@code [B, K]} int64 in {@code codesManager}, for a consumer on the same device (the codec)
     * to take without uploading them again.
     */
    public StepCodes step(FrameBatch batch, NDManager codesManager) {
        return IntraOpThreads.single(
                () -> overCaches(() -> stepBatch(batch, CodePicker.NONE, codesManager)));
    }

    private StepCodes stepBatch(FrameBatch batch, CodePicker picker, NDManager codesManager) {
        List<GenerationState> states = batch.states();
        int b = states.size();
        if (b == 0) {
            return new StepCodes(
                    List.of(),
                    codesManager == null
                            ? null
                            : codesManager.zeros(
                                    new Shape(0, config.numCodebooks()), DataType.INT64));
        }
        List<GenerationState> feeding = new ArrayList<>(b); // rows that feed back their last frame
        for (GenerationState s : states) {
            s.requireRoom(s.awaitsFirstFrame() ? 0 : 1);
            if (!s.awaitsFirstFrame()) {
                feeding.add(s);
            }
        }
        try (NDScope scope = new NDScope()) {
            NDArray stepped = feeding.isEmpty() ? null : backboneStep.run(feeding); // [F, D]
            NDArray lastH =
                    feeding.size() == b
                            ? stepped
                            : BackboneStep.withPromptRows(states, stepped); // [B, D]
            FrameHeads.Codes codes = frameCodes(lastH, states, picker);
            int[][] frames = codes.host();
            NDArray device = null;
            if (codesManager != null) {
                device = Nd.keep(codes.device(), codesManager); // [B, K] int64
            }
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
            return new StepCodes(out, device);
        }
    }

    /**
     * Codes {@code [B][K]} for {@code lastH [B, D]}, row r sampled by {@code states.get(r)}'s
     * sampler: one call of the scripted heads ({@link FrameHeads}).
     */
    private int[][] frame(NDArray lastH, List<GenerationState> states, CodePicker picker) {
        return frameCodes(lastH, states, picker).host();
    }

    /** As {@link #frame}, with the codes also on the device ({@code [B, K]} int64). */
    private FrameHeads.Codes frameCodes(
            NDArray lastH, List<GenerationState> states, CodePicker picker) {
        picker.headsStarting();
        if (hostHeads) {
            int[][] codes =
                    new HostHeads(config, codebook0Head, decoder, decoderEmbedder)
                            .frame(lastH, picker);
            long[] flat = new long[codes.length * config.numCodebooks()];
            for (int r = 0; r < codes.length; r++) {
                for (int c = 0; c < codes[r].length; c++) {
                    flat[r * codes[r].length + c] = codes[r][c];
                }
            }
            return new FrameHeads.Codes(
                    codes,
                    lastH.getManager()
                            .create(flat, new Shape(codes.length, config.numCodebooks())));
        }
        return heads.runOnDevice(
                lastH, states.stream().map(GenerationState::sampler).toList(), picker);
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
