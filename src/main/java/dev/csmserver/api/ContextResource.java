package dev.csmserver.api;

import dev.csmserver.api.dto.ContextInfo;
import dev.csmserver.api.dto.ContextList;
import dev.csmserver.api.dto.ContextUpload;
import dev.csmserver.api.dto.Problem;
import dev.csmserver.audio.Pcm;
import dev.csmserver.contexts.ContextExistsException;
import dev.csmserver.contexts.ContextStore;
import dev.csmserver.contexts.FileContextStore;
import dev.csmserver.contexts.StoredContext;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code /v1/contexts}: upload a conversation turn once (audio encoded to Mimi codes and stored),
 * then refer to it by id from speech requests instead of re-sending audio.
 */
@Path("/v1/contexts")
@Tag(name = "contexts")
@Produces({MediaType.APPLICATION_JSON, ProblemMapper.PROBLEM_JSON})
public class ContextResource {
    @Inject ContextStore store;
    @Inject RequestValidator validator;
    @Inject SpeechService service;

    @POST
    @Blocking
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(
            summary = "Store a context",
            description = "Encodes the audio with Mimi once and stores the codes.")
    @APIResponse(
            responseCode = "201",
            description = "Stored",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = ContextInfo.class)))
    @APIResponse(
            responseCode = "400",
            description = "Invalid upload",
            content =
                    @Content(
                            mediaType = ProblemMapper.PROBLEM_JSON,
                            schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "409",
            description = "Id already taken, or the id of a built-in voice",
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
    public Response create(ContextUpload form) {
        if (form == null || form.audio == null) {
            throw new ApiException(
                    ProblemType.INVALID_PARAMETER,
                    "multipart field 'audio' (a WAV file) is required");
        }
        String text = validator.text(form.text, "text");
        int speaker = validator.speaker(parseSpeaker(form.speaker), "speaker");
        String id = form.id == null || form.id.isBlank() ? UUID.randomUUID().toString() : form.id;
        if (!FileContextStore.isValidId(id)) {
            throw new ApiException(
                    ProblemType.INVALID_PARAMETER, "id must match [A-Za-z0-9_-]{1,64}");
        }
        if (store.isBuiltIn(id)) {
            throw new ApiException(
                    ProblemType.CONTEXT_READ_ONLY,
                    "context '"
                            + id
                            + "' is a built-in voice of the "
                            + "model and cannot be overwritten; choose another id");
        }
        if (store.exists(id)) {
            throw new ContextExistsException(id);
        }
        Pcm pcm = validator.decodeAudio(validator.readUpload(form.audio, "audio"), "audio");
        int[][] codes = validator.encode(pcm, service::encode, "audio");
        double seconds = codes[0].length * service.model().frameMs() / 1000.0;
        StoredContext c = new StoredContext(id, speaker, text, codes, seconds, Instant.now());
        store.create(
                c); // atomic: of concurrent uploads to one id, one is stored and the rest are 409s
        return Response.created(URI.create("/v1/contexts/" + id))
                .type(MediaType.APPLICATION_JSON)
                .entity(info(c))
                .build();
    }

    @GET
    @Blocking
    @Operation(
            summary = "List stored contexts",
            description = "Damaged entries are left out (and logged).")
    @APIResponse(
            responseCode = "200",
            description = "Stored contexts, newest first",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = ContextList.class)))
    public ContextList list() {
        return new ContextList(store.list().stream().map(this::info).toList());
    }

    @GET
    @Blocking
    @Path("/{id}")
    @Operation(summary = "Get a stored context")
    @APIResponse(
            responseCode = "200",
            description = "The context",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = ContextInfo.class)))
    @APIResponse(
            responseCode = "404",
            description = "No such context",
            content =
                    @Content(
                            mediaType = ProblemMapper.PROBLEM_JSON,
                            schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "500",
            description = "The stored context is damaged (context-corrupt): delete it",
            content =
                    @Content(
                            mediaType = ProblemMapper.PROBLEM_JSON,
                            schema = @Schema(implementation = Problem.class)))
    public ContextInfo get(@PathParam("id") String id) {
        return store.get(id).map(this::info).orElseThrow(() -> notFound(id));
    }

    @DELETE
    @Blocking
    @Path("/{id}")
    @Operation(summary = "Delete a stored context")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(
            responseCode = "404",
            description = "No such context",
            content =
                    @Content(
                            mediaType = ProblemMapper.PROBLEM_JSON,
                            schema = @Schema(implementation = Problem.class)))
    @APIResponse(
            responseCode = "409",
            description = "A built-in voice, which cannot be deleted",
            content =
                    @Content(
                            mediaType = ProblemMapper.PROBLEM_JSON,
                            schema = @Schema(implementation = Problem.class)))
    public Response delete(@PathParam("id") String id) {
        if (!store.delete(id)) {
            throw notFound(id);
        }
        return Response.noContent().build();
    }

    private static ApiException notFound(String id) {
        return new ApiException(
                ProblemType.CONTEXT_NOT_FOUND, "no stored context with id '" + id + "'");
    }

    private static Integer parseSpeaker(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(s.trim());
        } catch (NumberFormatException e) {
            throw new ApiException(ProblemType.INVALID_PARAMETER, "speaker must be an integer");
        }
    }

    private ContextInfo info(StoredContext c) {
        return new ContextInfo(
                c.id(),
                c.speaker(),
                c.text(),
                c.numFrames(),
                c.durationSeconds(),
                c.createdAt(),
                store.isBuiltIn(c.id()));
    }
}
