package dev.csmserver.api;

import dev.csmserver.api.dto.Problem;
import dev.csmserver.api.dto.SpeechRequest;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestMulti;

/** {@code POST /v1/speech}: text (plus optional context turns) to streamed, watermarked speech. */
@Path(SpeechResource.PATH)
@Tag(name = "speech")
public class SpeechResource {
    static final String PATH = "/v1/speech";

    @Inject SpeechService service;
    @Inject RequestValidator validator;

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    // No @Produces: the media type depends on response_format and is set on the RestMulti.
    @Operation(
            summary = "Generate speech",
            description =
                    "Streams audio while it is generated (chunked; a WAV stream has one header with "
                            + "unknown sizes). Every client error is application/problem+json, sent before any audio.")
    @APIResponse(
            responseCode = "200",
            description =
                    "Audio (X-Model names the model; `demo-tiny-random` is "
                            + "the built-in demo model, which produces noise, not speech).",
            headers = {
                @Header(name = "X-Request-Id", schema = @Schema(type = SchemaType.STRING)),
                @Header(
                        name = "X-Seed",
                        schema = @Schema(type = SchemaType.INTEGER, format = "int64")),
                @Header(name = "X-Model", schema = @Schema(type = SchemaType.STRING)),
                @Header(
                        name = "Content-Disposition",
                        description = "attachment; filename=\"speech.<format>\"",
                        schema = @Schema(type = SchemaType.STRING))
            })
    // The audio media types come from AudioFormat (AudioFormatsFilter).
    @APIResponse(
            responseCode = "400",
            description = "Invalid request",
            content =
                    @Content(
                            mediaType = ProblemMapper.PROBLEM_JSON,
                            schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "404",
            description = "Unknown context id",
            content =
                    @Content(
                            mediaType = ProblemMapper.PROBLEM_JSON,
                            schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "409",
            description = "save_as names a context that exists, or a built-in voice",
            content =
                    @Content(
                            mediaType = ProblemMapper.PROBLEM_JSON,
                            schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "413",
            description = "Context audio or body too large",
            content =
                    @Content(
                            mediaType = ProblemMapper.PROBLEM_JSON,
                            schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "429",
            description = "Queue full; see Retry-After",
            headers = @Header(name = "Retry-After", schema = @Schema(type = SchemaType.INTEGER)),
            content =
                    @Content(
                            mediaType = ProblemMapper.PROBLEM_JSON,
                            schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "503",
            description =
                    "The model is still loading, or the service is shutting down; see Retry-After",
            content =
                    @Content(
                            mediaType = ProblemMapper.PROBLEM_JSON,
                            schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "504",
            description = "The request's deadline passed before any audio was generated",
            content =
                    @Content(
                            mediaType = ProblemMapper.PROBLEM_JSON,
                            schema = @Schema(implementation = Problem.class)))
    public RestMulti<byte[]> speech(SpeechRequest body, @Context ContainerRequestContext ctx) {
        ValidSpeech v = validator.validate(body, service::encode);
        return service.start(v, RequestIds.of(ctx), false);
    }
}
