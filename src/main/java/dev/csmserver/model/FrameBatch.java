package dev.csmserver.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The requests that advance together in one {@link CsmModel#step}: an immutable list; requests join
 * ({@link #with}) and leave ({@link #without}) between frames, like TGI's concatenate / filter.
 */
public final class FrameBatch {
    private final List<GenerationState> states;

    private FrameBatch(List<GenerationState> states) {
        this.states = Collections.unmodifiableList(states);
    }

    public static FrameBatch of(List<GenerationState> states) {
        return new FrameBatch(new ArrayList<>(states));
    }

    public static FrameBatch empty() {
        return new FrameBatch(new ArrayList<>());
    }

    /** This batch plus {@code state} (which must have been prefilled). */
    public FrameBatch with(GenerationState state) {
        if (states.contains(state)) {
            throw new IllegalArgumentException("request already in the batch");
        }
        List<GenerationState> next = new ArrayList<>(states);
        next.add(state);
        return new FrameBatch(next);
    }

    /** This batch minus {@code state}. */
    public FrameBatch without(GenerationState state) {
        List<GenerationState> next = new ArrayList<>(states);
        next.remove(state);
        return new FrameBatch(next);
    }

    public List<GenerationState> states() {
        return states;
    }

    public int size() {
        return states.size();
    }

    public boolean isEmpty() {
        return states.isEmpty();
    }
}
