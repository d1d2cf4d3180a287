package dev.csmserver.pipeline;

import dev.csmserver.codec.MimiStreamEncoder;

/**
 * One clip of context audio being encoded with Mimi a chunk (2.56 s of audio) per {@link #step}, so
 * the inference worker can step its running streams between two chunks. The codes equal those of a
 * one-pass encode. Holds native state until {@link #close}; worker thread only.
 */
public final class ContextEncode implements AutoCloseable {
    private final MimiStreamEncoder encoder;

    ContextEncode(MimiStreamEncoder encoder) {
        this.encoder = encoder;
    }

    /** Encodes the next chunk; true once the whole clip is encoded. */
    public boolean step() {
        return encoder.step();
    }

    public boolean isDone() {
        return encoder.isDone();
    }

    /** Chunks encoded so far. */
    public int chunksDone() {
        return encoder.chunksDone();
    }

    /** Chunks the whole clip takes. */
    public int chunks() {
        return encoder.chunks();
    }

    /** Codes {@code [K][T]}, once done. */
    public int[][] codes() {
        return encoder.codes();
    }

    @Override
    public void close() {
        encoder.close();
    }
}
