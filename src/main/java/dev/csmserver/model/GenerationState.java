package dev.csmserver.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.csmserver.nn.KvCache;
import dev.csmserver.nn.Nd;

/**
 * Everything one request owns while it generates: its backbone KV caches (in its own sub-manager of
 * the model's manager, sized to the prompt plus the frames it may produce), its next position, the
 * last frame it produced (the next backbone input) and its seeded {@link Sampler}. Created by
 * {@link CsmModel#newState}; {@link #close()} frees its native memory.
 */
public final class GenerationState implements AutoCloseable {
    private final NDManager manager;
    private final KvCache[] caches;
    private final Sampler sampler;
    private int position;
    private int[] lastFrame;
    private int frames;

    /**
     * {@code [1, D]}: the prompt's last backbone output, from {@link CsmModel#prefillPrompt} until
     * its first frame.
     */
    private NDArray promptHidden;

    GenerationState(NDManager manager, KvCache[] caches, Sampler sampler) {
        this.manager = manager;
        this.caches = caches;
        this.sampler = sampler;
    }

    /** Next backbone position (rows consumed so far). */
    public int position() {
        return position;
    }

    /** Backbone positions this request may still consume. */
    public int remainingCapacity() {
        return caches[0].capacity() - position;
    }

    /** The last frame produced ({@code null} before prefill). */
    public int[] lastFrame() {
        return lastFrame == null ? null : lastFrame.clone();
    }

    /** Frames produced so far (including the one from prefill). */
    public int frames() {
        return frames;
    }

    public Sampler sampler() {
        return sampler;
    }

    KvCache[] caches() {
        return caches;
    }

    int[] lastFrameRef() {
        if (lastFrame == null) {
            throw new IllegalStateException("request has no frame yet: prefill first");
        }
        return lastFrame;
    }

    /**
     * True between {@link CsmModel#prefillPrompt} and the step that makes the first frame from the
     * prompt.
     */
    public boolean awaitsFirstFrame() {
        return promptHidden != null;
    }

    /**
     * The prompt consumed {@code rows} positions; {@code lastHidden [1, D]} (not a view) moves into
     * this state.
     */
    void prompted(int rows, NDArray lastHidden) {
        position += rows;
        promptHidden = Nd.keep(lastHidden, manager);
    }

    NDArray promptHidden() {
        return promptHidden;
    }

    /** The first frame, made from the prompt's output: no position consumed, the output freed. */
    void firstFrame(int[] frame) {
        promptHidden.close();
        promptHidden = null;
        lastFrame = frame;
        frames++;
    }

    void advance(int rows, int[] frame) {
        position += rows;
        lastFrame = frame;
        frames++;
    }

    public boolean isOpen() {
        return manager.isOpen();
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Throws unless this request is open, not prefilled yet, with room for {@code rows} rows. */
    void requireFresh(int rows) {
        if (frames() != 0 || position() != 0) {
            throw new IllegalStateException("request already prefilled");
        }
        requireRoom(rows);
    }

    /** Throws unless this request is open with room for {@code rows} more positions. */
    void requireRoom(int rows) {
        if (!isOpen()) {
            throw new IllegalStateException("request state is closed");
        } else if (rows > remainingCapacity()) {
            String need = "request needs %d more positions but has %d left";
            throw new IllegalStateException(String.format(need, rows, remainingCapacity()));
        }
    }
}
