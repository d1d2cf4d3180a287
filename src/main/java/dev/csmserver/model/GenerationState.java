package dev.csmserver.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.csmserver.nn.KvCache;
import dev.csmserver.nn.KvSlab;
import dev.csmserver.nn.Nd;

/**
 * Everything one request owns while it generates: its backbone KV caches (in its own sub-manager of
 * the model's manager, sized to the prompt plus the frames it may produce), its next position, the
 * last frame it produced (the next backbone input) and its seeded {@link Sampler}. Created by
 * {@link CsmModel#newState}; {@link #close()} frees its native memory.
 *
 * <p>On the CUDA-shaped path the caches are not in the sub-manager: they view a slot of the model's
 * {@link KvSlab} (so one step attends all rows at once), and {@link #close()} hands that slot back
 * before closing the sub-manager, which still owns the rest of the request's state (the prompt's
 * last output).
 */
public final class GenerationState implements AutoCloseable {
    private final NDManager manager;
    private final KvCache[] caches;
    private final Sampler sampler;
    private final KvSlab.Slot slot; // null: the caches are the sub-manager's own
    private int position;
    private int[] lastFrame;
    private int frames;

    /**
     * {@code [1, D]}: the prompt's last backbone output, from {@link CsmModel#prefillPrompt} until
     * its first frame.
     */
    private NDArray promptHidden;

    GenerationState(NDManager manager, KvCache[] caches, Sampler sampler) {
        this(manager, caches, sampler, null);
    }

    /** A state whose caches are {@code slot}'s, handed back on {@link #close()}. */
    GenerationState(NDManager manager, KvSlab.Slot slot, Sampler sampler) {
        this(manager, slot.caches(), sampler, slot);
    }

    private GenerationState(
            NDManager manager, KvCache[] caches, Sampler sampler, KvSlab.Slot slot) {
        this.manager = manager;
        this.caches = caches;
        this.sampler = sampler;
        this.slot = slot;
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

    /** The slab slot holding the caches (CUDA-shaped path); throws when they are its own. */
    int slot() {
        if (slot == null) {
            throw new IllegalStateException("request has no slab slot");
        }
        return slot.index();
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

    /** Frees the request: its slab slot back to the model (if any), then its sub-manager. */
    @Override
    public void close() {
        try {
            if (slot != null) {
                slot.release();
            }
        } finally {
            manager.close();
        }
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
