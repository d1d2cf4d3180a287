package dev.csmserver.pipeline;

/** Why a generation ended. */
public enum FinishReason {
    /** The model emitted the all-zero end frame. */
    END_OF_SPEECH,
    /** {@code max_audio_length_ms} was reached. */
    MAX_LENGTH,
    /** The client went away or asked to stop. */
    CANCELLED,
    /** The per-request deadline passed. */
    DEADLINE,
    /** An internal error ended it. */
    ERROR
}
