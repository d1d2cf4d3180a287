package dev.csmserver.queue;

import dev.csmserver.pipeline.ChunkSink;

/**
 * The consumer side of a {@link Job}: audio chunks in order, then exactly one of {@link #finish} or
 * {@link #failed}. Called on the inference thread; implementations must not block.
 */
public interface JobListener extends ChunkSink {
    /** The job ended with an internal error after admission. */
    void failed(Throwable error);
}
