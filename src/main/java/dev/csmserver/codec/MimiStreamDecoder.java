package dev.csmserver.codec;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

/**
 * Decodes one request's codes as they arrive, frame by frame or a few frames at a time. It carries
 * every conv tail and the decoder transformer's key/value window (the last {@code context - 1}
 * steps, not moshi's ring buffer, which drops keys the offline mask still allows), so the
 * concatenated chunks equal {@link Mimi#decode} of all the codes at once. State lives in a
 * sub-manager freed by {@link #close}; each call's temporaries are freed when it returns.
 */
public final class MimiStreamDecoder implements AutoCloseable {
    private final Mimi mimi;
    private final NDManager manager;
    private final StreamState state;
    private long framesDecoded;

    MimiStreamDecoder(Mimi mimi, NDManager parent) {
        this.mimi = mimi;
        this.manager = parent.newSubManager();
        this.state = new StreamState(manager, mimi.config());
    }

    /** The next frames' codes {@code [K][n]} → {@code n * frameSize} samples. */
    public float[] decode(int[][] codesChunk) {
        if (codesChunk.length > 0 && codesChunk[0].length == 0) {
            return new float[0];
        }
        try (NDManager step = manager.newSubManager();
                NDScope scope = new NDScope()) {
            float[] out = mimi.decodeStep(mimi.codesArray(step, codesChunk), state).toFloatArray();
            framesDecoded += codesChunk[0].length;
            return out;
        }
    }

    public long framesDecoded() {
        return framesDecoded;
    }

    @Override
    public void close() {
        manager.close();
    }
}
