package dev.csmserver.pipeline;

/**
 * Receives a generation's audio as it is produced; called on the inference thread, so it must not
 * block.
 */
public interface ChunkSink {
    void accept(AudioChunk chunk);

    /** Called once, last; {@code codes} are all generated frames {@code [F][K]}. */
    default void finish(FinishReason reason, int[][] codes) {}
}
