package dev.csmserver.pipeline;

/**
 * A published voice prompt of the loaded model, encoded with Mimi once at load time: its id ({@code
 * conversational_a}), the segment (speaker, transcript, codes {@code [K][T]}) and its length.
 * Requests use the cached codes; the audio is never encoded again.
 */
public record BuiltInVoice(String id, Segment segment, double durationSeconds) {}
