package dev.csmserver.api.dto;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One earlier conversation turn: who said what, and how it sounded (inline WAV or a stored
 * context).
 */
@Schema(
        name = "ContextSegment",
        description =
                "An earlier turn of the conversation. Give either `audio` "
                        + "(base64 WAV, encoded with Mimi at admission) or `context_id` (a stored context; its text and "
                        + "speaker are used unless given here).")
public record ContextSegment(
        @Schema(description = "What was said in this turn.", examples = "Hey, how are you doing?")
                @JsonProperty("text")
                String text,
        @Schema(description = "Speaker id of this turn.", minimum = "0", examples = "1")
                @JsonProperty("speaker")
                Integer speaker,
        @Schema(
                        description =
                                "Base64-encoded WAV (PCM 8/16/24/32-bit or float, 8 to 192 kHz; resampled to 24 kHz).")
                @JsonProperty("audio")
                String audio,
        @Schema(
                        description = "Id of a context stored with POST /v1/contexts or save_as.",
                        examples = "turn-1")
                @JsonProperty("context_id")
                String contextId) {}
