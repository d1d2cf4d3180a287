package dev.csmserver.model;

/**
 * Chooses each code from its logits: normally each request's {@link Sampler}; golden tests force
 * codes and record the logits and hidden states behind every choice.
 */
public interface CodePicker {
    /**
     * The code for batch row {@code row}, codebook {@code codebook}, from float32 {@code logits
     * [V]}.
     */
    int pick(int row, int codebook, float[] logits);

    /** Whether {@link #hidden} should be called (costs a host copy per step). */
    default boolean wantsHidden() {
        return false;
    }

    /** The hidden state behind the choice: backbone last row (codebook 0) or decoder output. */
    default void hidden(int row, int codebook, float[] hidden) {}
}
