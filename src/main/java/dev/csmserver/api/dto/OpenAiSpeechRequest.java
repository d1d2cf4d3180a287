package dev.csmserver.api.dto;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /v1/audio/speech}, OpenAI's text-to-speech request. */
@Schema(
        name = "OpenAiSpeechRequest",
        description =
                "OpenAI-compatible speech request. `voice` is a "
                        + "speaker number (\"0\", \"1\") or a stored context id; OpenAI's named voices do not exist here.")
public record OpenAiSpeechRequest(
        @Schema(
                        description =
                                "Model name; any value naming CSM (csm-1b, tts-1, tts-1-hd) is accepted.",
                        examples = "csm-1b")
                @JsonProperty("model")
                String model,
        @Schema(
                        required = true,
                        description =
                                "Text to speak (up to 4096 characters by default), read whole: a"
                                        + " long text in parts, as one stream in one voice.",
                        examples = "Hello from Sesame.")
                @JsonProperty("input")
                String input,
        @Schema(
                        required = true,
                        description = "Speaker number or stored context id.",
                        examples = "0")
                @JsonProperty("voice")
                String voice,
        @Schema(
                        description =
                                "Style instructions; CSM cannot follow them, so a non-empty value is a 400.")
                @JsonProperty("instructions")
                String instructions,
        @Schema(
                        description = "Audio format.", // the values: api.AudioFormatsFilter
                        defaultValue = "mp3")
                @JsonProperty("response_format")
                String responseFormat,
        @Schema(description = "Playback speed; CSM generates at 1.0 only.", defaultValue = "1.0")
                @JsonProperty("speed")
                Double speed,
        @Schema(
                        description =
                                "audio (raw bytes) or sse (server-sent events with base64 chunks).",
                        defaultValue = "audio",
                        enumeration = {"audio", "sse"})
                @JsonProperty("stream_format")
                String streamFormat) {}
