package dev.csmserver.api;

import dev.csmserver.api.dto.Problem;
import dev.csmserver.api.dto.WatermarkResult;
import dev.csmserver.api.dto.WatermarkUpload;
import dev.csmserver.audio.Pcm;
import dev.csmserver.audio.watermark.WatermarkDetection;
import dev.csmserver.audio.watermark.WatermarkDetector;
import dev.csmserver.audio.watermark.WatermarkKey;
import dev.csmserver.audio.watermark.WatermarkPayload;
import dev.csmserver.config.ServerConfig;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code POST /v1/watermark/detect}: does this audio carry the service's (keyed) watermark? */
@Path("/v1/watermark/detect")
@Tag(name = "watermark")
public class WatermarkResource {
    @Inject RequestValidator validator;
    @Inject ServerConfig config;

    @POST
    @Blocking
    @Consumes({
        "audio/wav",
        "audio/x-wav",
        "audio/wave",
        "audio/mpeg",
        "audio/flac",
        "audio/ogg",
        MediaType.APPLICATION_OCTET_STREAM
    })
    @Produces({MediaType.APPLICATION_JSON, ProblemMapper.PROBLEM_JSON})
    @Operation(
            summary = "Detect the watermark",
            description =
                    "Send the audio file as the request body "
                            + "(WAV, MP3, FLAC or Ogg Opus, sampled at 8 to 192 kHz). Clips under about a second cannot be verified.")
    @RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = "audio/wav",
                            schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(
            responseCode = "200",
            description = "The verdict",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = WatermarkResult.class)))
    @APIResponse(
            responseCode = "400",
            description = "Undecodable audio, or a sample rate outside 8 to 192 kHz",
            content =
                    @Content(
                            mediaType = ProblemMapper.PROBLEM_JSON,
                            schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "413",
            description = "Audio too large",
            content =
                    @Content(
                            mediaType = ProblemMapper.PROBLEM_JSON,
                            schema = @Schema(implementation = Problem.class)))
    public WatermarkResult detect(byte[] audio) {
        if (audio == null || audio.length == 0) {
            throw new ApiException(
                    ProblemType.INVALID_AUDIO, "the request body must be an audio file");
        }
        return detect(validator.decodeAudio(audio, "body"));
    }

    @POST
    @Blocking
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces({MediaType.APPLICATION_JSON, ProblemMapper.PROBLEM_JSON})
    @Operation(
            summary = "Detect the watermark (multipart upload)",
            description =
                    "The same check with the file sent as the multipart field 'audio' (e.g. from a browser form).")
    @APIResponse(
            responseCode = "200",
            description = "The verdict",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = WatermarkResult.class)))
    @APIResponse(
            responseCode = "400",
            description = "Missing or undecodable audio, or a sample rate outside 8 to 192 kHz",
            content =
                    @Content(
                            mediaType = ProblemMapper.PROBLEM_JSON,
                            schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "413",
            description = "Audio too large",
            content =
                    @Content(
                            mediaType = ProblemMapper.PROBLEM_JSON,
                            schema = @Schema(implementation = Problem.class)))
    public WatermarkResult detectUpload(WatermarkUpload form) {
        if (form == null || form.audio == null || form.audio.size() == 0) {
            throw new ApiException(
                    ProblemType.INVALID_AUDIO,
                    "multipart field 'audio' (an audio file) is required");
        }
        return detect(validator.decodeAudio(validator.readUpload(form.audio, "audio"), "audio"));
    }

    private WatermarkResult detect(Pcm pcm) {
        ServerConfig.Watermark w = config.watermark();
        WatermarkKey key =
                WatermarkKey.fromSecret(w.key(), new WatermarkPayload(w.keyId(), w.serviceId()));
        WatermarkDetection d = new WatermarkDetector(key).detect(pcm.samples(), pcm.sampleRateHz());
        return new WatermarkResult(
                d.detected(),
                d.score(),
                d.falseAlarmProbability(),
                d.hasPayload() ? d.payload().keyId() : null,
                d.hasPayload() ? d.payload().serviceId() : null,
                d.startSeconds(),
                d.endSeconds());
    }
}
