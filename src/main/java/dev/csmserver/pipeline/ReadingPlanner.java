package dev.csmserver.pipeline;

import dev.csmserver.tokenizer.SegmentSpans;
import dev.csmserver.tokenizer.TextTokenizer;
import dev.csmserver.tokenizer.TokenizerException;
import java.util.ArrayList;
import java.util.List;

/**
 * Plans a request's reading ({@link ReadingPlan}) and builds each part's own request inside the
 * backbone's rows. The budget: a part's prompt is the request's context, then as many of the latest
 * earlier parts (their text and generated codes) as fit, then its text; prompt rows plus the part's
 * frame cap stay below the context limit ({@code generator.py}'s rule), so the oldest earlier parts
 * are the ones left out. The part size is chosen so that the request's context, one part and its
 * cap always fit, whatever came before. Thread-safe (the tokenizer is).
 */
public final class ReadingPlanner {
    /** The smallest part budget, in segment tokens: any one character and the template fit. */
    public static final int MIN_PART_TOKENS = 16;

    /** Tokens kept free when parts are cut on estimates, so most need no second cut. */
    private static final int ESTIMATE_MARGIN = 3;

    private final TextTokenizer tokenizer;
    private final int contextLimit;

    public ReadingPlanner(TextTokenizer tokenizer, int contextLimit) {
        this.tokenizer = tokenizer;
        this.contextLimit = contextLimit;
    }

    /**
     * The parts of {@code request}; {@link PromptTooLongException} when its context leaves no room
     * for a part and its audio (or, for a one-part text, for the text and the requested audio).
     */
    public ReadingPlan plan(GenerationRequest request, PartPolicy policy) {
        int contextRows = 0;
        for (Segment s : request.context()) {
            contextRows += segmentRows(s);
        }
        int speaker = request.speaker();
        String text = request.text();
        // One tokenization of the whole text; slices are estimated from its offsets, then each
        // part is tokenized once to get its exact rows (tokenizing every candidate would take
        // seconds for a 4096-character text).
        SegmentSpans spans = tokenizer.segmentSpans(speaker, text);
        if (spans.estimate(text, 0, text.length()) <= policy.partMaxTokens() + ESTIMATE_MARGIN
                && tokens(speaker, text) <= policy.partMaxTokens()) {
            return onePart(request, contextRows);
        }
        int whole = request.capsWholeReading() ? request.maxFrames() : Integer.MAX_VALUE;
        int budget = policy.partMaxTokens();
        while (budget >= MIN_PART_TOKENS && !fits(contextRows, budget, policy, whole)) {
            budget--;
        }
        if (budget < MIN_PART_TOKENS) {
            int cap = Math.min(policy.capFrames(MIN_PART_TOKENS), whole);
            throw new PromptTooLongException(contextRows + MIN_PART_TOKENS, cap, contextLimit);
        }
        int estimated = Math.max(spans.overhead() + 1, budget - ESTIMATE_MARGIN);
        List<ReadingPlan.Part> parts = new ArrayList<>();
        for (String rough :
                TextSplitter.split(text, (a, b) -> spans.estimate(text, a, b), estimated)) {
            int t = tokens(speaker, rough);
            if (t <= budget) {
                parts.add(new ReadingPlan.Part(rough, t, policy.capFrames(t)));
                continue;
            }
            // The estimate was short: this part alone is split again, measured exactly.
            for (String exact : TextSplitter.split(rough, s -> tokens(speaker, s), budget)) {
                int te = tokens(speaker, exact);
                if (!fits(contextRows, te, policy, whole)) {
                    // One character over the budget: impossible with MIN_PART_TOKENS.
                    throw new PromptTooLongException(
                            contextRows + te, Math.min(policy.capFrames(te), whole), contextLimit);
                }
                parts.add(new ReadingPlan.Part(exact, te, policy.capFrames(te)));
            }
        }
        if (parts.size() == 1) {
            return onePart(request, contextRows); // the estimate of the whole was too high
        }
        return new ReadingPlan(parts, whole, contextRows);
    }

    /** A text read in one part: the request as it is, its rows checked as the reference does. */
    private ReadingPlan onePart(GenerationRequest request, int contextRows) {
        int tokens = tokens(request.speaker(), request.text());
        int rows = contextRows + tokens;
        if (rows >= contextLimit - request.maxFrames()) {
            throw new PromptTooLongException(rows, request.maxFrames(), contextLimit);
        }
        return new ReadingPlan(
                List.of(new ReadingPlan.Part(request.text(), tokens, request.maxFrames())),
                request.maxFrames(),
                contextRows);
    }

    private boolean fits(int contextRows, int tokens, PartPolicy policy, int whole) {
        long cap = Math.min(policy.capFrames(tokens), whole);
        return contextRows + tokens + cap < contextLimit;
    }

    /**
     * Part {@code index} of {@code plan} as a request of its own: the request's context, then the
     * latest of {@code spoken} (the earlier parts, oldest first, as generated) that fit, then its
     * text; capped by its own cap and what is left of the whole reading after {@code framesSoFar};
     * seeded from the request's seed and the part's index. A one-part plan gives the request
     * itself.
     */
    public GenerationRequest partRequest(
            GenerationRequest request,
            ReadingPlan plan,
            PartPolicy policy,
            int index,
            List<Segment> spoken,
            int framesSoFar) {
        if (plan.single()) {
            return request;
        }
        ReadingPlan.Part part = plan.part(index);
        int maxFrames = (int) Math.min(part.capFrames(), (long) plan.wholeFrames() - framesSoFar);
        if (maxFrames <= 0) {
            throw new IllegalArgumentException("no audio left for part " + index);
        }
        int rows = plan.contextRows() + part.tokens();
        List<Segment> earlier = new ArrayList<>();
        for (int j = spoken.size() - 1; j >= 0 && earlier.size() < policy.previousParts(); j--) {
            Segment seg = spoken.get(j);
            if (seg.numFrames() == 0) {
                continue; // a part that made no audio is no voice to follow
            }
            int r = plan.part(j).tokens() + seg.numFrames() + 1;
            if (rows + r >= contextLimit - maxFrames) {
                break; // this one and all older ones are left out
            }
            rows += r;
            earlier.add(0, seg);
        }
        List<Segment> context = new ArrayList<>(request.context());
        context.addAll(earlier);
        SamplingParams s = request.sampling();
        return new GenerationRequest(
                part.text(),
                request.speaker(),
                context,
                maxFrames * GenerationRequest.FRAME_MS,
                new SamplingParams(s.temperature(), s.topK(), partSeed(s.seed(), index)),
                true);
    }

    /**
     * Part {@code index}'s seed: the request's own for the first part, a SplitMix64 mix of both for
     * the others (a fixed function: same seed and text, same parts, same audio).
     */
    static long partSeed(long seed, int index) {
        if (index == 0) {
            return seed;
        }
        long z = seed + index * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }

    /** Rows of a context segment in the prompt: its text, one row a frame and the audio EOS row. */
    private int segmentRows(Segment s) {
        try {
            return tokenizer.encodeSegment(s.speaker(), s.text()).length + s.numFrames() + 1;
        } catch (TokenizerException e) {
            throw new PromptTooLongException(tokenizer.maxTokens() + 1, 0, contextLimit);
        }
    }

    /** Tokens of {@code BOS "[speaker]text" EOS}; more than the tokenizer takes when too long. */
    int tokens(int speaker, String text) {
        try {
            return tokenizer.encodeSegment(speaker, text).length;
        } catch (TokenizerException e) {
            return tokenizer.maxTokens() + 1;
        }
    }
}
