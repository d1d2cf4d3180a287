package dev.csmserver.api.dto;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.csmserver.pipeline.GenerationRequest;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /v1/speech}. */
@Schema(
        name = "SpeechRequest",
        description =
                "Generate speech for `text` in the voice of `speaker`, "
                        + "conditioned on earlier turns.")
public record SpeechRequest(
        @Schema(
                        required = true,
                        description =
                                "Text to speak (up to csm.limits.max-text-chars, 4096 by default);"
                                        + " a long text is read in parts, as one stream in one voice.",
                        examples = "Hello from Sesame.")
                @JsonProperty("text")
                String text,
        @Schema(description = "Speaker id.", defaultValue = "0", minimum = "0", examples = "0")
                @JsonProperty("speaker")
                Integer speaker,
        @Schema(description = "Earlier turns, oldest first.") @JsonProperty("context")
                List<ContextSegment> context,
        @Schema(
                        description =
                                "Cap on generated audio, in milliseconds. When given it caps the"
                                        + " whole reading; when absent it caps a text read in one part,"
                                        + " and a longer text is read whole, each part capped by its own"
                                        + " text.",
                        defaultValue = "10000",
                        minimum = "" + GenerationRequest.FRAME_MS,
                        examples = "4000")
                @JsonProperty("max_audio_length_ms")
                Integer maxAudioLengthMs,
        @Schema(
                        description = "Sampling temperature (0 = greedy).",
                        defaultValue = "0.9",
                        minimum = "0",
                        maximum = "5")
                @JsonProperty("temperature")
                Double temperature,
        @Schema(description = "Top-k sampling cut-off.", defaultValue = "50", minimum = "1")
                @JsonProperty("top_k")
                Integer topK,
        @Schema(
                        description = "Sampling seed; random when absent (echoed in X-Seed).",
                        examples = "42")
                @JsonProperty("seed")
                Long seed,
        @Schema(
                        description = "Audio format.", // the values: api.AudioFormatsFilter
                        defaultValue = "wav")
                @JsonProperty("response_format")
                String responseFormat,
        @Schema(
                        description = "Stream audio while it is generated (chunked).",
                        defaultValue = "true")
                @JsonProperty("stream")
                Boolean stream,
        @Schema(
                        description =
                                "Store the generated turn (text, speaker, codes) as a new context with this id; "
                                        + "an id that exists is a 409 before any audio.",
                        examples = "turn-2")
                @JsonProperty("save_as")
                String saveAs) {
    /**
     * A request for {@code text} with every other field absent (the service's defaults); the
     * withers below set one field each, so callers name what they set and a new field touches only
     * this record.
     */
    public static SpeechRequest forText(String text) {
        return new SpeechRequest(text, null, null, null, null, null, null, null, null, null);
    }

    public SpeechRequest withText(String text) {
        return new SpeechRequest(
                text,
                speaker,
                context,
                maxAudioLengthMs,
                temperature,
                topK,
                seed,
                responseFormat,
                stream,
                saveAs);
    }

    public SpeechRequest withSpeaker(Integer speaker) {
        return new SpeechRequest(
                text,
                speaker,
                context,
                maxAudioLengthMs,
                temperature,
                topK,
                seed,
                responseFormat,
                stream,
                saveAs);
    }

    public SpeechRequest withContext(List<ContextSegment> context) {
        return new SpeechRequest(
                text,
                speaker,
                context,
                maxAudioLengthMs,
                temperature,
                topK,
                seed,
                responseFormat,
                stream,
                saveAs);
    }

    public SpeechRequest withMaxAudioLengthMs(Integer maxAudioLengthMs) {
        return new SpeechRequest(
                text,
                speaker,
                context,
                maxAudioLengthMs,
                temperature,
                topK,
                seed,
                responseFormat,
                stream,
                saveAs);
    }

    public SpeechRequest withTemperature(Double temperature) {
        return new SpeechRequest(
                text,
                speaker,
                context,
                maxAudioLengthMs,
                temperature,
                topK,
                seed,
                responseFormat,
                stream,
                saveAs);
    }

    public SpeechRequest withTopK(Integer topK) {
        return new SpeechRequest(
                text,
                speaker,
                context,
                maxAudioLengthMs,
                temperature,
                topK,
                seed,
                responseFormat,
                stream,
                saveAs);
    }

    public SpeechRequest withSeed(Long seed) {
        return new SpeechRequest(
                text,
                speaker,
                context,
                maxAudioLengthMs,
                temperature,
                topK,
                seed,
                responseFormat,
                stream,
                saveAs);
    }

    public SpeechRequest withResponseFormat(String responseFormat) {
        return new SpeechRequest(
                text,
                speaker,
                context,
                maxAudioLengthMs,
                temperature,
                topK,
                seed,
                responseFormat,
                stream,
                saveAs);
    }

    public SpeechRequest withStream(Boolean stream) {
        return new SpeechRequest(
                text,
                speaker,
                context,
                maxAudioLengthMs,
                temperature,
                topK,
                seed,
                responseFormat,
                stream,
                saveAs);
    }

    public SpeechRequest withSaveAs(String saveAs) {
        return new SpeechRequest(
                text,
                speaker,
                context,
                maxAudioLengthMs,
                temperature,
                topK,
                seed,
                responseFormat,
                stream,
                saveAs);
    }
}
