package dev.csmserver.pipeline;

/**
 * One request admitted into the running batch: owns the request's native state (KV caches,
 * Mimi stream decoder, watermarker) in its own sub-manager, closed by {@link #close()}. Only the
 * inference thread touches it.
 */
public final class ActiveGeneration implements AutoCloseable {
    private final ChunkSink sink;
    private final int maxFrames;
    private final int[][] frameCodes;
    private final AutoCloseable nativeState;
    private int frames;
    private FinishReason doneReason;
    private boolean finished;

    ActiveGeneration(ChunkSink sink, int maxFrames, AutoCloseable nativeState) {
        this.sink = sink;
        this.maxFrames = maxFrames;
        this.frameCodes = new int[maxFrames][];
        this.nativeState = nativeState;
        if (maxFrames == 0) {
            doneReason = FinishReason.MAX_LENGTH;
        }
    }

    /** True once the model ended the turn or the length cap was reached. */
    public boolean isDone() {
        return doneReason != null;
    }

    public FinishReason doneReason() {
        return doneReason;
    }

    public int frames() {
        return frames;
    }

    ChunkSink sink() {
        return sink;
    }

    /** Records one generated audio frame; ends the turn at the cap. */
    void addFrame(int[] codes) {
        frameCodes[frames++] = codes;
        if (frames >= maxFrames) {
            doneReason = FinishReason.MAX_LENGTH;
        }
    }

    void endOfSpeech() {
        doneReason = FinishReason.END_OF_SPEECH;
    }

    /** The generated codes so far, {@code [F][K]} (frame-major, as {@link ChunkSink#finish} takes them). */
    public int[][] codes() {
        int[][] out = new int[frames][];
        for (int f = 0; f < frames; f++) {
            out[f] = frameCodes[f].clone();
        }
        return out;
    }

    /** Tells the sink the generation ended (once); the worker calls it before {@link #close()}. */
    public void finish(FinishReason reason) {
        if (finished) {
            return;
        }
        finished = true;
        sink.finish(reason, codes());
    }

    @Override
    public void close() {
        try {
            nativeState.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing generation state failed", e);
        }
    }
}
