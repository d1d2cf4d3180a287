package dev.csmserver.model;

/**
 * A {@link CodePicker} for teacher forcing (one request): forces the codes of the current frame
 * (the rows' greedy samplers take the argmax when none is forced), and records the logits and
 * hidden states behind every choice, laid out like the fixtures ({@code [N, K, V]} logits, c0 at
 * index 0).
 */
final class ForcedCodes implements CodePicker {
    private final long[] forced;
    private final int k;
    private final int vocab;
    final float[] logits;
    final float[] backboneHidden;
    final float[] decoderHidden;
    private final int dim;
    private final int decoderDim;
    int frame;

    /** {@code forced [N·K]} or {@code null} for argmax. */
    ForcedCodes(long[] forced, int frames, CsmConfig c) {
        this.forced = forced;
        this.k = c.numCodebooks();
        this.vocab = c.audioVocabSize();
        this.dim = c.backbone().embedDim();
        this.decoderDim = c.decoder().embedDim();
        this.logits = new float[frames * k * vocab];
        this.backboneHidden = new float[frames * dim];
        this.decoderHidden = new float[frames * (k - 1) * decoderDim];
    }

    @Override
    public int forced(int row, int codebook) {
        return forced == null ? -1 : Math.toIntExact(forced[frame * k + codebook]);
    }

    @Override
    public boolean forces() {
        return forced != null;
    }

    @Override
    public boolean records() {
        return true;
    }

    @Override
    public void logits(int row, int codebook, float[] l) {
        System.arraycopy(l, 0, logits, (frame * k + codebook) * vocab, vocab);
    }

    @Override
    public void hidden(int row, int codebook, float[] h) {
        if (codebook == 0) {
            System.arraycopy(h, 0, backboneHidden, frame * dim, dim);
        } else {
            System.arraycopy(
                    h, 0, decoderHidden, (frame * (k - 1) + codebook - 1) * decoderDim, decoderDim);
        }
    }

    /** The c0 logits {@code [N, V]}. */
    float[] c0Logits() {
        int frames = logits.length / (k * vocab);
        float[] out = new float[frames * vocab];
        for (int n = 0; n < frames; n++) {
            System.arraycopy(logits, n * k * vocab, out, n * vocab, vocab);
        }
        return out;
    }

    /** The decoder logits {@code [N, K-1, V]}. */
    float[] decoderLogits() {
        int frames = logits.length / (k * vocab);
        float[] out = new float[frames * (k - 1) * vocab];
        for (int n = 0; n < frames; n++) {
            System.arraycopy(
                    logits, (n * k + 1) * vocab, out, n * (k - 1) * vocab, (k - 1) * vocab);
        }
        return out;
    }

    /**
     * Runs {@code frames} frames of one request: prefill, then steps feeding back the chosen frame.
     */
    void run(CsmModel model, GenerationState state, PromptRows prompt, int frames) {
        for (frame = 0; frame < frames; frame++) {
            if (frame == 0) {
                model.prefill(state, prompt, this);
            } else {
                model.step(FrameBatch.of(java.util.List.of(state)), this);
            }
        }
    }
}
