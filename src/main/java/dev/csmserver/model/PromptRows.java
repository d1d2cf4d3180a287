package dev.csmserver.model;

/**
 * The backbone input of one request: {@code tokens [S][K+1]} (columns 0..K-1 audio codes, column K
 * the text id) and {@code mask [S][K+1]} (which columns are embedded), as the reference's {@code
 * Generator.generate} builds them (spec 2).
 */
public record PromptRows(long[][] tokens, boolean[][] mask) {
    public PromptRows {
        if (tokens.length != mask.length || tokens.length == 0) {
            throw new IllegalArgumentException("prompt needs matching non-empty tokens and mask");
        }
    }

    public int rows() {
        return tokens.length;
    }

    /** One generated frame fed back: {@code [c0..cK-1, 0]} with mask {@code [1×K, 0]}. */
    public static PromptRows ofFrame(int[] frame) {
        long[] t = new long[frame.length + 1];
        boolean[] m = new boolean[frame.length + 1];
        for (int k = 0; k < frame.length; k++) {
            t[k] = frame[k];
            m[k] = true;
        }
        return new PromptRows(new long[][] {t}, new boolean[][] {m});
    }
}
