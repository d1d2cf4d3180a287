package dev.csmserver.pipeline;

import ai.djl.ndarray.NDManager;
import dev.csmserver.model.CsmModel;
import dev.csmserver.model.FrameBatch;
import dev.csmserver.model.GenerationState;
import dev.csmserver.model.PromptRows;
import dev.csmserver.model.StepCodes;
import dev.csmserver.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs readings on the CSM model (the reference {@code Generator.generate} loop, spec 4): builds
 * each part's prompt, checks it fits the context with the requested audio, prefills, then advances
 * frame by frame until the all-zero frame or the frame limit, and hands each step's new frames to
 * the generations' audio paths. {@link #start} / {@link #step} / {@link Generation#close} let one
 * worker thread batch many requests, admitting and dropping them between frames; {@link #runToEnd}
 * is the one loop that runs a generation alone to its end (the pipeline's audio and the codes-only
 * {@link #generate}). Not thread-safe: one thread drives it.
 */
public final class CsmGenerator {
    /** Where a codes-only generation's (absent) audio goes. */
    private static final ChunkSink NO_AUDIO = chunk -> {};

    private final CsmModel model;
    private final PromptBuilder prompts;
    private final ReadingPlanner planner;

    public CsmGenerator(CsmModel model, TextTokenizer tokenizer) {
        this.model = model;
        this.prompts = new PromptBuilder(tokenizer, model.config().numCodebooks());
        this.planner = new ReadingPlanner(tokenizer, model.config().maxContext());
    }

    /** Runs {@code request} alone to its end, codes only; returns its frames {@code [F][K]} raw. */
    public List<int[]> generate(GenerationRequest request) {
        try (Generation g = start(request)) {
            runToEnd(g, PartPolicy.DEFAULT); // one part: the policy is never asked
            return new ArrayList<>(g.partFrames());
        }
    }

    /**
     * Runs {@code g} alone to its end: steps it, starting each next part (cut as {@code policy}
     * says) when it is between two; tells its sink how it ended and returns that.
     */
    FinishReason runToEnd(Generation g, PartPolicy policy) {
        while (!g.isDone()) {
            if (g.betweenParts()) {
                nextPart(g, policy);
            }
            step(List.of(g));
        }
        g.finish(g.doneReason());
        return g.doneReason();
    }

    /**
     * Admits a request, codes only (no audio path), read as it is in one part: builds its prompt,
     * allocates its state and runs the prompt through the backbone; its first frame comes from the
     * next {@link #step}, batched with the requests already running. Throws {@link
     * PromptTooLongException} (nothing allocated) when the prompt plus {@code maxFrames} does not
     * fit the context.
     */
    public Generation start(GenerationRequest request) {
        GenerationState state = prefill(List.of(request)).get(0);
        // Integer.MAX_VALUE as the codebook: nothing is clamped, codes() are the raw codes.
        return new Generation(
                request,
                ReadingPlan.asIs(request),
                state,
                request.maxFrames(),
                null,
                null,
                NO_AUDIO,
                Integer.MAX_VALUE,
                0,
                1f);
    }

    /** The planner of the readings this generator runs (its tokenizer, its model's context). */
    ReadingPlanner planner() {
        return planner;
    }

    /**
     * Prefills the prompts of several parts at once, each a request of its own: they run through
     * the backbone as one packed pass (the weights read once for all), each attending only to
     * itself. Returns their model states in order, null for a part of 0 frames. All or nothing:
     * when a prompt does not fit or the pass fails, nothing stays allocated and the exception is
     * thrown (the caller may then admit the requests one by one).
     */
    List<GenerationState> prefill(List<GenerationRequest> parts) {
        List<PromptRows> prompts = new ArrayList<>(parts.size());
        for (GenerationRequest r : parts) {
            prompts.add(checkedPrompt(r));
        }
        List<GenerationState> all = new ArrayList<>(parts.size());
        try {
            List<GenerationState> states = new ArrayList<>();
            List<PromptRows> prefilled = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++) {
                GenerationState s = allocate(parts.get(i), prompts.get(i));
                all.add(s);
                if (s != null) {
                    states.add(s);
                    prefilled.add(prompts.get(i));
                }
            }
            prefillInPacks(states, prefilled);
            return all;
        } catch (RuntimeException | Error e) {
            closeAll(all);
            throw e;
        }
    }

    /** Closes every state of {@code states} (nulls skipped). */
    static void closeAll(List<GenerationState> states) {
        for (GenerationState s : states) {
            if (s != null) {
                s.close();
            }
        }
    }

    /**
     * Starts the next part of {@code g}, which is {@link Generation#betweenParts()}: builds its
     * prompt (the request's context, the latest earlier parts, its text) and prefills it; its
     * frames then go on in the same codec and watermark streams. On failure {@code g} stays between
     * parts (the caller ends it).
     */
    void nextPart(Generation g, PartPolicy policy) {
        if (!g.betweenParts()) {
            throw new IllegalStateException("the generation is not between two parts");
        }
        GenerationRequest next = g.nextPartRequest(planner, policy);
        g.beginPart(prefill(List.of(next)).get(0), next.maxFrames());
    }

    /**
     * Packs of at most one context's worth of rows ({@code maxContext}), so a packed prefill never
     * holds more activations than the longest single prompt may.
     */
    private void prefillInPacks(List<GenerationState> states, List<PromptRows> prompts) {
        int limit = model.config().maxContext();
        int from = 0;
        int rows = 0;
        for (int i = 0; i <= prompts.size(); i++) {
            boolean full =
                    i == prompts.size() || (i > from && rows + prompts.get(i).rows() > limit);
            if (full && i > from) {
                model.prefillPrompts(states.subList(from, i), prompts.subList(from, i));
                from = i;
                rows = 0;
            }
            if (i < prompts.size()) {
                rows += prompts.get(i).rows();
            }
        }
    }

    /**
     * The request's prompt; {@link PromptTooLongException} when it and its frames do not fit the
     * context.
     */
    private PromptRows checkedPrompt(GenerationRequest request) {
        PromptRows prompt = prompts.build(request.context(), request.speaker(), request.text());
        int limit = model.config().maxContext();
        // generator.py: `if curr_tokens.size(1) >= max_seq_len - max_generation_len: raise
        // ValueError`.
        if (prompt.rows() >= limit - request.maxFrames()) {
            throw new PromptTooLongException(prompt.rows(), request.maxFrames(), limit);
        }
        return prompt;
    }

    /** The request's model state, allocated, not yet prefilled; null for a request of 0 frames. */
    private GenerationState allocate(GenerationRequest request, PromptRows prompt) {
        if (request.maxFrames() == 0) {
            return null;
        }
        return model.newState(prompt.rows() + request.maxFrames(), request.sampling().sampler());
    }

    /**
     * Advances every generation of {@code batch} whose part runs by one frame, in one batched model
     * step, then decodes, watermarks and sends each one's new audio (the decoders of the batch in
     * one batched pass). Generations done or between parts are left as they are.
     */
    public void step(List<Generation> batch) {
        List<Generation> running = new ArrayList<>(batch.size());
        List<GenerationState> states = new ArrayList<>(batch.size());
        for (Generation g : batch) {
            GenerationState s = g.stepState();
            if (s != null) {
                running.add(g);
                states.add(s);
            }
        }
        if (running.isEmpty()) {
            return;
        }
        // the step's codes stay on the device too, so the codec takes them with no upload
        try (NDManager codes = NDManager.newBaseManager()) {
            StepCodes step = model.step(FrameBatch.of(states), codes);
            for (int i = 0; i < running.size(); i++) {
                running.get(i).accept(step.frames().get(i));
            }
            Generation.emitNewFrames(running, step.codes());
        }
    }

    /**
     * A frame for the codec: codes at or above {@code codebookSize} (CSM's 3 ids above Mimi's
     * codebook, e.g. 2048..2050) clamped to the last entry, as the CSM authors advise (csm#157).
     */
    public static int[] clampForCodec(int[] frame, int codebookSize) {
        int[] out = frame.clone();
        for (int k = 0; k < out.length; k++) {
            out[k] = Math.min(Math.max(out[k], 0), codebookSize - 1);
        }
        return out;
    }

    public CsmModel model() {
        return model;
    }
}
