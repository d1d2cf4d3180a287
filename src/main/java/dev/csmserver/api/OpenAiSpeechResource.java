package dev.csmserver.api;

import dev.csmserver.api.dto.OpenAiSpeechRequest;
import dev.csmserver.api.dto.Problem;
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
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * {@code POST /v1/audio/speech}: OpenAI's text-to-speech request on CSM. {@code voice} is a speaker
 * number or a stored context id (whose audio then conditions the voice); what CSM cannot do (named
 * OpenAI voices, speed other than 1, instructions, formats outside audio.encode.AudioFormat) is a
 * clear 400. {@link OpenAiSpeechMapper} maps the request; {@link RequestValidator} checks it.
 */
@Path(OpenAiSpeechResource.PATH)
@Tag(name = "openai")
public class OpenAiSpeechResource {
    static final String PATH = "/v1/audio/speech";

    @Inject SpeechService service;
    @Inject RequestValidator validator;

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    // No @Produces: the media type depends on response_format and is set on the RestMulti.
    @Operation(
            summary = "Generate speech (OpenAI-compatible)",
            description =
                    "OpenAI's /v1/audio/speech. Streams audio; stream_format=sse sends "
                            + "speech.audio.delta events with base64 audio, then speech.audio.done.")
    @APIResponse(
            responseCode = "200",
            description = "Audio, or server-sent events",
            // The audio media types come from AudioFormat (AudioFormatsFilter).
            content = {
                @Content(
                        mediaType = "text/event-stream",
                        schema = @Schema(type = SchemaType.STRING))
            })
    @APIResponse(
            responseCode = "400",
            description = "Invalid or unsupported request",
            content =
                    @Content(
                            mediaType = ProblemMapper.PROBLEM_JSON,
                            schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "429",
            description = "Queue full; see Retry-After",
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
    public RestMulti<byte[]> speech(
            OpenAiSpeechRequest body, @Context ContainerRequestContext ctx) {
        OpenAiSpeechMapper.Mapped m = OpenAiSpeechMapper.map(body, validator);
        ValidSpeech v = validator.validate(m.request(), "input", service::encode);
        // OpenAI's request has no length field: a long input is read whole, in parts.
        v = new ValidSpeech(v.request().readWhole(), v.format(), v.stream(), v.seed(), v.saveAs());
        return service.start(v, RequestIds.of(ctx), m.sse());
    }
}
