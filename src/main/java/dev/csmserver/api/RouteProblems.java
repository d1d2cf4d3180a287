package dev.csmserver.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.csmserver.api.dto.Problem;
import dev.csmserver.metrics.InferenceMetrics;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Answers with a problem+json body from a Vert.x route handler: the guards that run before Quarkus
 * REST (API key, body reads) have no JAX-RS exception mapper, yet their answers must look like
 * {@link ProblemMapper}'s. Headers the caller put on the response first are kept.
 */
@ApplicationScoped
public class RouteProblems {
    /**
     * How long a connection ended by {@link #sendAndClose} keeps discarding what the client still
     * sends: closing a socket with unread bytes makes the kernel send a reset, which can destroy
     * the answer before the client reads it (the "lingering close" of HTTP servers).
     */
    private static final long LINGER_MS = 1000;

    @Inject ObjectMapper json;
    @Inject InferenceMetrics metrics;

    /** Sends the problem of {@code type} with {@code detail}; the connection stays usable. */
    public Future<Void> send(RoutingContext rc, ProblemType type, String detail) {
        HttpServerResponse response = rc.response();
        if (response.ended() || response.closed()) {
            return Future.succeededFuture();
        }
        metrics.error(type.slug());
        String id = RequestIds.fromHeader(rc.request().getHeader(RequestIds.HEADER));
        Problem p =
                new Problem(
                        type.uri(), type.title(), type.status(), detail, rc.normalizedPath(), id);
        String body;
        try {
            body = json.writeValueAsString(p);
        } catch (JsonProcessingException e) {
            body = "{\"type\":\"" + type.uri() + "\",\"status\":" + type.status() + "}";
        }
        return response.setStatusCode(type.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, ProblemMapper.PROBLEM_JSON)
                .putHeader(RequestIds.HEADER, id)
                .end(body);
    }

    /**
     * Sends the problem and closes the HTTP/1 connection although the request body was not (fully)
     * read: the answer says {@code Connection: close}, and what the client still sends is drained
     * for at most {@link #LINGER_MS} first.
     */
    public void sendAndClose(RoutingContext rc, ProblemType type, String detail) {
        HttpServerRequest request = rc.request();
        rc.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        Future<Void> sent = send(rc, type, detail);
        if (request.isEnded()) {
            sent.onComplete(x -> request.connection().close());
            return;
        }
        request.handler(ignored -> {});
        request.endHandler(end -> sent.onComplete(x -> request.connection().close()));
        request.resume();
        rc.vertx().setTimer(LINGER_MS, id -> request.connection().close());
    }
}
