package dev.csmserver.pipeline;

import java.util.List;

/**
 * How one request is read: its parts in order, each with its text, the tokens of its prompt segment
 * and the most frames it may run for; {@code wholeFrames} caps the whole reading ({@link
 * Integer#MAX_VALUE} when only the parts' own caps do); {@code contextRows} are the rows of the
 * request's own context, which every part hears first. A text that fits one part is one part with
 * the request's own cap, read exactly as a plain request.
 */
public record ReadingPlan(List<Part> parts, int wholeFrames, int contextRows) {
    /** One part: its text, the tokens of {@code BOS "[speaker]text" EOS}, its frame cap. */
    public record Part(String text, int tokens, int capFrames) {}

    public ReadingPlan {
        parts = List.copyOf(parts);
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a reading has at least one part");
        }
    }

    /**
     * {@code request} read as it is, in one part with its own cap: what the codes-only path reads
     * (it plans nothing; the generator refuses a prompt that does not fit). A one-part plan's
     * tokens and context rows are never asked.
     */
    static ReadingPlan asIs(GenerationRequest request) {
        return new ReadingPlan(
                List.of(new Part(request.text(), 0, request.maxFrames())), request.maxFrames(), 0);
    }

    public boolean single() {
        return parts.size() == 1;
    }

    public Part part(int index) {
        return parts.get(index);
    }

    public int size() {
        return parts.size();
    }
}
