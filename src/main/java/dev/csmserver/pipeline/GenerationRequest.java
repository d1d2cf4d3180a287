package dev.csmserver.pipeline;

import dev.csmserver.model.CsmConfig;
import java.util.List;

/**
 * A validated generation request, the only thing the pipeline accepts: target text and speaker,
 * context turns in order, the audio length cap and the sampling parameters. A text too long for one
 * part is read in parts ({@link ReadingPlan}); {@code capsWholeReading} says whether {@code
 * maxAudioMs} then caps the whole reading (the caller gave a length) or only a text read in one
 * part (a default: a longer text is read whole, each part capped by its own text).
 */
public record GenerationRequest(
        String text,
        int speaker,
        List<Segment> context,
        int maxAudioMs,
        SamplingParams sampling,
        boolean capsWholeReading) {
    public GenerationRequest {
        context = List.copyOf(context);
        if (maxAudioMs <= 0) {
            throw new IllegalArgumentException("maxAudioMs must be positive, got " + maxAudioMs);
        }
    }

    /** Audio per generated frame ({@link CsmConfig#FRAME_MS}), for what the API publishes. */
    public static final int FRAME_MS = CsmConfig.FRAME_MS;

    /** A request whose {@code maxAudioMs} caps the whole reading (the caller gave it). */
    public GenerationRequest(
            String text,
            int speaker,
            List<Segment> context,
            int maxAudioMs,
            SamplingParams sampling) {
        this(text, speaker, context, maxAudioMs, sampling, true);
    }

    /**
     * The same request with {@code maxAudioMs} a default that caps a one-part text only: a longer
     * text is read whole.
     */
    public GenerationRequest readWhole() {
        return new GenerationRequest(text, speaker, context, maxAudioMs, sampling, false);
    }

    /** Frames the loop may generate: the reference's {@code int(max_audio_length_ms / 80)}. */
    public int maxFrames() {
        return maxAudioMs / FRAME_MS;
    }
}
