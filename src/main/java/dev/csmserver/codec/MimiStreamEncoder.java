package dev.csmserver.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

/**
 * Encodes one clip a chunk at a time, so that the caller can do other work between chunks (the
 * inference worker steps its running streams). Each {@link #step} encodes the next {@value
 * Mimi#LATENT_BLOCK_FRAMES} frames (2.56 s, 61440 samples at 24 kHz): the SEANet encoder in {@value
 * Mimi#ENCODE_BLOCK_FRAMES}-frame pieces, then the transformer, the downsampling and the quantizer
 * on the chunk. Every conv tail and the transformer's key/value window are carried from chunk to
 * chunk in a sub-manager freed by {@link #close}, which makes the codes exactly those of one pass
 * over the whole clip; each step's temporaries are freed when it returns.
 */
public final class MimiStreamEncoder implements AutoCloseable {
    private final Mimi mimi;
    private final float[] pcm;
    private final NDManager manager;
    private final StreamState state;
    private final int chunkSamples;
    private final int[][] codes;
    private int sampleAt;
    private int frameAt;

    MimiStreamEncoder(Mimi mimi, float[] pcm24k, NDManager parent) {
        this.mimi = mimi;
        this.pcm = pcm24k;
        this.manager = parent.newSubManager();
        this.state = new StreamState(manager, mimi.config());
        int frameSize = mimi.config().frameSize();
        this.chunkSamples = Mimi.LATENT_BLOCK_FRAMES * frameSize;
        int frames = (pcm24k.length + frameSize - 1) / frameSize;
        this.codes = new int[mimi.config().numCodebooks()][frames];
    }

    /** Whether every sample is encoded (at once for an empty clip). */
    public boolean isDone() {
        return sampleAt >= pcm.length;
    }

    /**
     * Encodes the next chunk and stores its codes; returns {@link #isDone()}. A no-op once done.
     */
    public boolean step() {
        if (isDone()) {
            return true;
        }
        try (NDManager m = manager.newSubManager();
                NDScope scope = new NDScope()) {
            int[][] chunk = mimi.quantize(nextLatent(m)); // [K][n]
            for (int q = 0; q < codes.length; q++) {
                System.arraycopy(chunk[q], 0, codes[q], frameAt, chunk[q].length);
            }
            frameAt += chunk[0].length;
        }
        return isDone();
    }

    /** The latent {@code [1, D, n]} of the next chunk, made in {@code m} (and the open scope). */
    NDArray nextLatent(NDManager m) {
        int from = sampleAt;
        int to = Math.min(pcm.length, from + chunkSamples);
        sampleAt = to;
        return mimi.encodeChunk(m, pcm, from, to, to == pcm.length, state);
    }

    /** Chunks encoded so far. */
    public int chunksDone() {
        return (sampleAt + chunkSamples - 1) / chunkSamples;
    }

    /** Chunks the whole clip takes. */
    public int chunks() {
        return (pcm.length + chunkSamples - 1) / chunkSamples;
    }

    /** The codes {@code [K][ceil(L / frameSize)]}, once {@link #isDone()}. */
    public int[][] codes() {
        if (!isDone()) {
            throw new IllegalStateException(
                    "encoded " + chunksDone() + " of " + chunks() + " chunks so far");
        }
        return codes;
    }

    /** Frees the carried state (any time: a cancelled encode closes it half way). */
    @Override
    public void close() {
        manager.close();
    }
}
