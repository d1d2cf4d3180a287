package dev.csmserver.pipeline;

import dev.csmserver.model.CsmConfig;
import java.util.List;

/**
 * A validated generation request, the only thing the pipeline accepts: target text and speaker,
 * context turns in order, the audio length cap and the sampling parameters.
 */
public record GenerationRequest(
        String text, int speaker, List<Segment> context, int maxAudioMs, SamplingParams sampling) {
    public GenerationRequest {
        context = List.copyOf(context);
        if (maxAudioMs <= 0) {
            throw new IllegalArgumentException("maxAudioMs must be positive, got " + maxAudioMs);
        }
    }

    /** Audio per generated frame ({@link CsmConfig#FRAME_MS}), for what the API publishes. */
    public static final int FRAME_MS = CsmConfig.FRAME_MS;

    /** Frames the loop may generate: the reference's {@code int(max_audio_length_ms / 80)}. */
    public int maxFrames() {
        return maxAudioMs / FRAME_MS;
    }
}
