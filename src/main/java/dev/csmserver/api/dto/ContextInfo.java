package dev.csmserver.api.dto;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A stored context, without its codes. */
@Schema(name = "ContextInfo", description = "A stored context: one encoded conversation turn.")
public record ContextInfo(
        @Schema(description = "Context id.", examples = "turn-1") @JsonProperty("id") String id,
        @Schema(description = "Speaker id.") @JsonProperty("speaker") int speaker,
        @Schema(description = "Transcript.") @JsonProperty("text") String text,
        @Schema(description = "Mimi frames (12.5 per second).") @JsonProperty("frames") int frames,
        @Schema(description = "Audio duration in seconds.") @JsonProperty("duration_seconds")
                double durationSeconds,
        @Schema(
                        description =
                                "When it was stored (for a built-in voice: when the model was loaded).")
                @JsonProperty("created_at")
                Instant createdAt,
        @Schema(
                        description =
                                "A built-in voice of the model (its published prompt, e.g. conversational_a): "
                                        + "read-only, usable as context_id and as the OpenAI voice.")
                @JsonProperty("built_in")
                boolean builtIn) {}
