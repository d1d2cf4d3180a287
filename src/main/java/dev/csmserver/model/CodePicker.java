package dev.csmserver.model;

/**
 * What tests and benchmarks add to a frame: codes forced instead of sampled (teacher forcing), and
 * the logits and hidden states behind every code recorded. Each row's code is otherwise chosen on
 * the device by its {@link Sampler}'s settings and noise.
 */
public interface CodePicker {
    /** Nothing forced, nothing recorded: production. */
    CodePicker NONE = new CodePicker() {};

    /**
     * The code to take for batch row {@code row}, codebook {@code codebook}, or -1 to choose it.
     */
    default int forced(int row, int codebook) {
        return -1;
    }

    /** Whether to forced codes apply at all (else no forced-codes tensor is made). */
    default boolean forces() {
        return false;
    }

    /** Whether {@link #logits} and {@link #hidden} are called (costs a host copy per frame). */
    default boolean records() {
        return false;
    }

    /** The float32 logits {@code [V]} behind row {@code row}'s code of {@code codebook}. */
    default void logits(int row, int codebook, float[] logits) {}

    /** The hidden state behind the choice: backbone last row (codebook 0) or decoder output. */
    default void hidden(int row, int codebook, float[] hidden) {}

    /** Called when the backbone's part of a step is done and the heads start (benchmarks). */
    default void headsStarting() {}
}
