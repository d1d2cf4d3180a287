package dev.csmserver.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.csmserver.api.dto.Problem;
import dev.csmserver.contexts.ContextExistsException;
import dev.csmserver.contexts.ContextStoreUnavailableException;
import dev.csmserver.contexts.CorruptContextException;
import dev.csmserver.contexts.ReadOnlyContextException;
import dev.csmserver.metrics.InferenceMetrics;
import dev.csmserver.pipeline.PromptTooLongException;
import dev.csmserver.queue.QueueFullException;
import dev.csmserver.queue.ServiceUnavailableException;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every error into an RFC 9457 {@code application/problem+json} body with a stable {@code
 * type}: client errors from the validator, queue-full (429 with {@code Retry-After}), framework
 * errors (unreadable JSON or multipart, unknown path, wrong method or media type) and, last,
 * anything unexpected, JVM errors included, as a 500 that hides internals. Each problem is counted
 * by type.
 */
public class ProblemMapper {
    public static final String PROBLEM_JSON = "application/problem+json";
    private static final Logger LOG = LoggerFactory.getLogger(ProblemMapper.class);

    @Inject InferenceMetrics metrics;

    /** Builds the response for {@code type}; public so the auth filter can answer the same way. */
    public Response problem(ProblemType type, String detail, ContainerRequestContext ctx) {
        metrics.error(type.slug());
        String path = ctx == null ? null : ctx.getUriInfo().getPath();
        String id = ctx == null ? null : RequestIds.of(ctx);
        Problem body = new Problem(type.uri(), type.title(), type.status(), detail, path, id);
        Response.ResponseBuilder b = Response.status(type.status()).type(PROBLEM_JSON).entity(body);
        if (id != null) {
            b.header(RequestIds.HEADER, id);
        }
        return b.build();
    }

    @ServerExceptionMapper
    public Response api(ApiException e, ContainerRequestContext ctx) {
        return problem(e.type(), e.getMessage(), ctx);
    }

    @ServerExceptionMapper
    public Response queueFull(QueueFullException e, ContainerRequestContext ctx) {
        return Response.fromResponse(problem(ProblemType.QUEUE_FULL, e.getMessage(), ctx))
                .header("Retry-After", Long.toString(e.retryAfterSeconds()))
                .build();
    }

    @ServerExceptionMapper
    public Response unavailable(ServiceUnavailableException e, ContainerRequestContext ctx) {
        return Response.fromResponse(problem(ProblemType.UNAVAILABLE, e.getMessage(), ctx))
                .header("Retry-After", "5")
                .build();
    }

    @ServerExceptionMapper
    public Response storeDown(ContextStoreUnavailableException e, ContainerRequestContext ctx) {
        LOG.warn("context store unavailable: {}", e.getMessage());
        return problem(ProblemType.UNAVAILABLE, "the context store is unavailable", ctx);
    }

    @ServerExceptionMapper
    public Response readOnly(ReadOnlyContextException e, ContainerRequestContext ctx) {
        return problem(ProblemType.CONTEXT_READ_ONLY, e.getMessage(), ctx);
    }

    @ServerExceptionMapper
    public Response contextExists(ContextExistsException e, ContainerRequestContext ctx) {
        return problem(ProblemType.CONTEXT_EXISTS, e.getMessage(), ctx);
    }

    /**
     * Not the client's fault, and retrying will not help: the entry must be deleted and stored
     * again.
     */
    @ServerExceptionMapper
    public Response contextCorrupt(CorruptContextException e, ContainerRequestContext ctx) {
        return problem(ProblemType.CONTEXT_CORRUPT, e.getMessage(), ctx);
    }

    @ServerExceptionMapper
    public Response promptTooLong(PromptTooLongException e, ContainerRequestContext ctx) {
        return problem(ProblemType.PROMPT_TOO_LONG, e.getMessage(), ctx);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, ContainerRequestContext ctx) {
        return problem(
                ProblemType.MALFORMED_REQUEST, "invalid JSON: " + e.getOriginalMessage(), ctx);
    }

    /**
     * Wrong JSON types and unknown fields (Quarkus maps these itself unless a user mapper exists).
     */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e, ContainerRequestContext ctx) {
        StringBuilder path = new StringBuilder();
        for (var ref : e.getPath()) {
            path.append(
                    ref.getFieldName() != null
                            ? (path.length() > 0 ? "." : "") + ref.getFieldName()
                            : "[" + ref.getIndex() + "]");
        }
        String field = path.length() == 0 ? "" : " at '" + path + "'";
        return problem(
                ProblemType.MALFORMED_REQUEST,
                "invalid JSON" + field + ": " + e.getOriginalMessage(),
                ctx);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, ContainerRequestContext ctx) {
        if (e.getCause() instanceof JsonProcessingException) {
            return json((JsonProcessingException) e.getCause(), ctx);
        }
        int status = e.getResponse().getStatus();
        ProblemType type;
        switch (status) {
            case 401:
                type = ProblemType.UNAUTHORIZED;
                break;
            case 404:
                type = ProblemType.NOT_FOUND;
                break;
            case 405:
                type = ProblemType.METHOD_NOT_ALLOWED;
                break;
            case 406:
                type = ProblemType.NOT_ACCEPTABLE;
                break;
            case 413:
                type = ProblemType.BODY_TOO_LARGE;
                break;
            case 415:
                type = ProblemType.UNSUPPORTED_MEDIA_TYPE;
                break;
            case 503:
                type = ProblemType.UNAVAILABLE;
                break;
            default:
                type = status >= 500 ? ProblemType.INTERNAL : ProblemType.MALFORMED_REQUEST;
        }
        String detail =
                type == ProblemType.MALFORMED_REQUEST || type == ProblemType.INTERNAL
                        ? type.title()
                        : e.getMessage();
        if (status >= 500) {
            LOG.error("request failed", e);
        }
        return problem(type, detail, ctx);
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e, ContainerRequestContext ctx) {
        return brokenForm(e, ctx).orElseGet(() -> fatal(e, ctx));
    }

    /** A multipart body that ends before its closing boundary; other I/O failures are ours. */
    @ServerExceptionMapper
    public Response unreadable(IOException e, ContainerRequestContext ctx) {
        return brokenForm(e, ctx).orElseGet(() -> fatal(e, ctx));
    }

    /**
     * Last: JVM errors (OutOfMemoryError, StackOverflowError) and checked exceptions, as a 500
     * problem.
     */
    @ServerExceptionMapper
    public Response fatal(Throwable e, ContainerRequestContext ctx) {
        LOG.error("request {} failed", ctx == null ? "?" : RequestIds.of(ctx), e);
        metrics.error(e.getClass().getSimpleName());
        return problem(
                ProblemType.INTERNAL, "internal error; see the server log for request id", ctx);
    }

    private Optional<Response> brokenForm(Throwable e, ContainerRequestContext ctx) {
        return FormParserFaults.brokenForm(e)
                .map(detail -> problem(ProblemType.MALFORMED_REQUEST, detail, ctx));
    }
}
