package dev.csmserver.api.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** An RFC 9457 problem details body ({@code application/problem+json}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(
        name = "Problem",
        description = "RFC 9457 problem details. `type` is stable and identifies the error.")
public record Problem(
        @Schema(
                        description = "Stable URI naming the error kind.",
                        examples = "https://csm-server.dev/problems/text-too-long")
                @JsonProperty("type")
                String type,
        @Schema(description = "Short summary of the error kind.") @JsonProperty("title")
                String title,
        @Schema(description = "HTTP status code.") @JsonProperty("status") int status,
        @Schema(description = "What went wrong with this request.") @JsonProperty("detail")
                String detail,
        @Schema(description = "The request path.") @JsonProperty("instance") String instance,
        @Schema(description = "The request id (X-Request-Id).") @JsonProperty("request_id")
                String requestId) {}
