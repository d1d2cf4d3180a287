package dev.csmserver.pipeline;

import dev.csmserver.model.CsmModel;
import dev.csmserver.model.FrameBatch;
import dev.csmserver.model.GenerationState;
import dev.csmserver.model.PromptRows;
import dev.csmserver.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Text to CSM codes (the reference {@code Generator.generate} loop, spec 4): builds the prompt,
 * checks it fits the context with the requested audio, prefills, then advances frame by frame until
 * the all-zero frame or the frame limit. Two ways in: {@link #generate} runs one request to the
 * end; {@link #start} / {@link #step} / {@link Generation#close} let one worker thread batch many
 * requests, admitting and dropping them between frames. Not thread-safe: one thread drives it.
 */
public final class CsmGenerator {
    private final CsmModel model;
    private final PromptBuilder prompts;

    public CsmGenerator(CsmModel model, TextTokenizer tokenizer) {
        this.model = model;
        this.prompts = new PromptBuilder(tokenizer, model.config().numCodebooks());
    }

    /** Runs {@code request} alone to its end; returns the frames {@code [F][K]} (raw codes). */
    public List<int[]> generate(GenerationRequest request) {
        try (Generation g = start(request)) {
            while (!g.isFinished()) {
                step(List.of(g));
            }
            return new ArrayList<>(g.frames());
        }
    }

    /**
     * Admits a request: builds its prompt, allocates its state and runs the prompt through the
     * backbone; its first frame comes from the next {@link #step}, batched with the requests
     * already running. Throws {@link PromptTooLongException} (nothing allocated) when the prompt
     * plus {@code maxFrames} does not fit the context.
     */
    public Generation start(GenerationRequest request) {
        return startAll(List.of(request)).get(0);
    }

    /**
     * Admits several requests at once: their prompts run through the backbone as one packed pass
     * (the weights read once for all), each attending only to itself. All or nothing: when a prompt
     * does not fit or the pass fails, nothing stays allocated and the exception is thrown (the
     * caller may then admit the requests one by one).
     */
    public List<Generation> startAll(List<GenerationRequest> requests) {
        List<PromptRows> prompts = new ArrayList<>(requests.size());
        for (GenerationRequest r : requests) {
            prompts.add(checkedPrompt(r));
        }
        List<Generation> gens = new ArrayList<>(requests.size());
        try {
            List<GenerationState> states = new ArrayList<>();
            List<PromptRows> prefilled = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                Generation g = allocate(requests.get(i), prompts.get(i));
                gens.add(g);
                if (g.state() != null) {
                    states.add(g.state());
                    prefilled.add(prompts.get(i));
                }
            }
            prefillInPacks(states, prefilled);
            return gens;
        } catch (RuntimeException | Error e) {
            gens.forEach(Generation::close);
            throw e;
        }
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

    /**
     * A generation with its state allocated (none for a request of 0 frames), not yet prefilled.
     */
    private Generation allocate(GenerationRequest request, PromptRows prompt) {
        int maxFrames = request.maxFrames();
        if (maxFrames == 0) {
            return new Generation(null, 0, prompt.rows());
        }
        GenerationState state =
                model.newState(prompt.rows() + maxFrames, request.sampling().sampler());
        return new Generation(state, maxFrames, prompt.rows());
    }

    /**
     * Advances every unfinished generation of {@code active} by one frame, in one batched model
     * step.
     */
    public void step(List<Generation> active) {
        List<Generation> running = new ArrayList<>(active.size());
        List<GenerationState> states = new ArrayList<>(active.size());
        for (Generation g : active) {
            if (!g.isFinished()) {
                running.add(g);
                states.add(g.state());
            }
        }
        if (running.isEmpty()) {
            return;
        }
        List<int[]> frames = model.step(FrameBatch.of(states));
        for (int i = 0; i < running.size(); i++) {
            running.get(i).accept(frames.get(i));
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
