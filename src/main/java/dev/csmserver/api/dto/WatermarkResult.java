package dev.csmserver.api.dto;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The watermark detector's verdict on an uploaded clip. */
@Schema(
        name = "WatermarkResult",
        description = "Whether the clip carries this service's watermark.")
public record WatermarkResult(
        @Schema(description = "True when the false-alarm probability is at most 1e-5.")
                @JsonProperty("detected")
                boolean detected,
        @Schema(description = "Best normalised correlation (about N(0,1) on unmarked audio).")
                @JsonProperty("score")
                double score,
        @Schema(description = "Probability that unmarked audio scores this high.")
                @JsonProperty("false_alarm_probability")
                double falseAlarmProbability,
        @Schema(description = "Key id recovered from the mark's payload (null when none).")
                @JsonProperty("key_id")
                Integer keyId,
        @Schema(description = "Service id recovered from the mark's payload (null when none).")
                @JsonProperty("service_id")
                Integer serviceId,
        @Schema(description = "Start of the marked span, seconds.") @JsonProperty("start_seconds")
                double startSeconds,
        @Schema(description = "End of the marked span, seconds.") @JsonProperty("end_seconds")
                double endSeconds) {}
