package dev.csmserver.api;

import dev.csmserver.api.dto.ContextSegment;
import dev.csmserver.api.dto.OpenAiSpeechRequest;
import dev.csmserver.api.dto.Problem;
import dev.csmserver.api.dto.SpeechRequest;
import dev.csmserver.audio.encode.AudioFormat;
import dev.csmserver.contexts.StoredContext;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Set;
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
 * OpenAI voices, speed other than 1, instructions, aac) is a clear 400.
 */
@Path("/v1/audio/speech")
@Tag(name = "openai")
public class OpenAiSpeechResource {
    private static final Set<String> MODELS =
            Set.of("csm-1b", "sesame/csm-1b", "tts-1", "tts-1-hd", "gpt-4o-mini-tts");

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
            content = {
                @Content(
                        mediaType = "audio/wav",
                        schema = @Schema(type = SchemaType.STRING, format = "binary")),
                @Content(
                        mediaType = "audio/pcm",
                        schema = @Schema(type = SchemaType.STRING, format = "binary")),
                @Content(
                        mediaType = "audio/mpeg",
                        schema = @Schema(type = SchemaType.STRING, format = "binary")),
                @Content(
                        mediaType = "audio/flac",
                        schema = @Schema(type = SchemaType.STRING, format = "binary")),
                @Content(
                        mediaType = "audio/ogg",
                        schema = @Schema(type = SchemaType.STRING, format = "binary")),
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
        if (body == null) {
            throw new ApiException(ProblemType.MALFORMED_REQUEST, "a JSON body is required");
        }
        if (body.model() != null && !MODELS.contains(body.model())) {
            throw new ApiException(
                    ProblemType.INVALID_PARAMETER,
                    "model must be one of " + MODELS.stream().sorted().toList());
        }
        if (body.instructions() != null && !body.instructions().isBlank()) {
            throw new ApiException(
                    ProblemType.UNSUPPORTED_OPTION,
                    "CSM cannot follow style instructions; "
                            + "condition the voice with a stored context instead");
        }
        if (body.speed() != null && body.speed() != 1.0) {
            if (!(body.speed() >= 0.25 && body.speed() <= 4.0)) {
                throw new ApiException(
                        ProblemType.INVALID_PARAMETER, "speed must be between 0.25 and 4.0");
            }
            throw new ApiException(
                    ProblemType.UNSUPPORTED_OPTION, "CSM generates at speed 1.0 only");
        }
        boolean sse = streamFormat(body.streamFormat());
        // OpenAI's default is mp3; a build without the mp3 encoder falls back to wav.
        String format =
                body.responseFormat() != null
                        ? body.responseFormat()
                        : validator.supports(AudioFormat.MP3) ? "mp3" : "wav";
        if ("aac".equalsIgnoreCase(format)) {
            throw new ApiException(
                    ProblemType.UNSUPPORTED_FORMAT,
                    "aac is not supported; use wav, pcm, mp3, flac or opus");
        }
        String text = validator.text(body.input(), "input");
        SpeechRequest request = voice(body.voice(), text, format);
        ValidSpeech v = validator.validate(request, service::encode);
        // OpenAI's request has no length field: a long input is read whole, in parts.
        v = new ValidSpeech(v.request().readWhole(), v.format(), v.stream(), v.seed(), v.saveAs());
        return service.start(v, RequestIds.of(ctx), sse);
    }

    private static boolean streamFormat(String f) {
        if (f == null || f.equals("audio")) {
            return false;
        }
        if (f.equals("sse")) {
            return true;
        }
        throw new ApiException(ProblemType.INVALID_PARAMETER, "stream_format must be audio or sse");
    }

    /**
     * A speaker number, or a stored context whose speaker and audio condition the voice. OpenAI's
     * request has no length field: the audio may run to the configured maximum, and the model's
     * end-of-speech frame ends it (as the reference's generator does), instead of a 10 s cut.
     */
    private SpeechRequest voice(String voice, String text, String format) {
        if (voice == null || voice.isBlank()) {
            throw new ApiException(
                    ProblemType.INVALID_PARAMETER,
                    "voice is required: a speaker number or a context id");
        }
        if (voice.matches("\\d{1,9}")) {
            return new SpeechRequest(
                    text,
                    Integer.parseInt(voice),
                    null,
                    validator.maxAudioMs(),
                    null,
                    null,
                    null,
                    format,
                    true,
                    null);
        }
        StoredContext c;
        try {
            c = validator.storedContext(voice);
        } catch (ApiException e) {
            if (e.type() != ProblemType.CONTEXT_NOT_FOUND) {
                throw e;
            }
            throw new ApiException(
                    ProblemType.UNSUPPORTED_OPTION,
                    "voice '"
                            + voice
                            + "' is neither a speaker "
                            + "number nor a stored context id (OpenAI's named voices do not exist in CSM)");
        }
        List<ContextSegment> context = List.of(new ContextSegment(null, null, null, c.id()));
        return new SpeechRequest(
                text,
                c.speaker(),
                context,
                validator.maxAudioMs(),
                null,
                null,
                null,
                format,
                true,
                null);
    }
}
