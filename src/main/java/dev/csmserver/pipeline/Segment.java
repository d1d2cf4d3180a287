package dev.csmserver.pipeline;

/**
 * One context turn of the prompt: who spoke, what they said, and the Mimi codes of how it sounded
 * ({@code codes[k][t]}: codebook k, frame t; already encoded, whether uploaded once as a stored
 * context or sent inline and encoded at admission).
 */
public record Segment(int speaker, String text, int[][] codes) {
    public int numFrames() {
        return codes.length == 0 ? 0 : codes[0].length;
    }
}
