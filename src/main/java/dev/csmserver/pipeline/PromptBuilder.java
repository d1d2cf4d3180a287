package dev.csmserver.pipeline;

import dev.csmserver.model.PromptRows;
import dev.csmserver.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Prompt assembly exactly as the reference {@code Generator.generate} (spec 2): for each context
 * segment its text rows ({@code BOS "[speaker]text" EOS}), one audio row per frame and an all-zero
 * audio EOS row; then the target text rows, with no audio and no EOS row after them.
 */
public final class PromptBuilder {
    private final TextTokenizer tokenizer;
    private final int numCodebooks;

    public PromptBuilder(TextTokenizer tokenizer, int numCodebooks) {
        this.tokenizer = tokenizer;
        this.numCodebooks = numCodebooks;
    }

    /** Rows of {@code context} then the target {@code "[speaker]text"}. */
    public PromptRows build(List<Segment> context, int speaker, String text) {
        List<long[]> tokens = new ArrayList<>();
        List<boolean[]> mask = new ArrayList<>();
        for (Segment seg : context) {
            addText(tokens, mask, tokenizer.encodeSegment(seg.speaker(), seg.text()));
            addAudio(tokens, mask, seg.codes());
        }
        addText(tokens, mask, tokenizer.encodeSegment(speaker, text));
        return new PromptRows(tokens.toArray(long[][]::new), mask.toArray(boolean[][]::new));
    }

    private void addText(List<long[]> tokens, List<boolean[]> mask, long[] ids) {
        for (long id : ids) {
            long[] t = new long[numCodebooks + 1];
            boolean[] m = new boolean[numCodebooks + 1];
            t[numCodebooks] = id;
            m[numCodebooks] = true;
            tokens.add(t);
            mask.add(m);
        }
    }

    /** {@code codes[k][t]} → one row per frame t, then the all-zero EOS row. */
    private void addAudio(List<long[]> tokens, List<boolean[]> mask, int[][] codes) {
        if (codes.length != numCodebooks) {
            throw new IllegalArgumentException(
                    "context audio has " + codes.length + " codebooks, the model " + numCodebooks);
        }
        int frames = codes[0].length;
        for (int t = 0; t <= frames; t++) {
            long[] row = new long[numCodebooks + 1];
            boolean[] m = new boolean[numCodebooks + 1];
            for (int k = 0; k < numCodebooks; k++) {
                if (codes[k].length != frames) {
                    throw new IllegalArgumentException(
                            "context codebook "
                                    + k
                                    + " has "
                                    + codes[k].length
                                    + " frames, codebook 0 has "
                                    + frames);
                }
                row[k] = t < frames ? codes[k][t] : 0; // t == frames: the audio EOS row
                m[k] = true;
            }
            tokens.add(row);
            mask.add(m);
        }
    }
}
