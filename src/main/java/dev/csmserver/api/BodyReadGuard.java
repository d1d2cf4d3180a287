package dev.csmserver.api;

import dev.csmserver.config.ServerConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads every request body on the event loop, before Quarkus REST sees the request, within {@code
 * csm.http.body-read-deadline} and with at most {@code csm.http.max-concurrent-body-reads} read at
 * once. Quarkus REST reads the body of a blocking endpoint on a worker thread, where a client that
 * trickles its body holds the thread: 300 such clients took all 200 workers and speech and health
 * stopped answering (issue 16). Read here, a slow body costs a buffer and a timer, never a thread;
 * one too many is refused at once (503 problem, {@code Retry-After}), one too slow is cut (408).
 */
@ApplicationScoped
public class BodyReadGuard {
    /** After the API-key check (order -1000): a request without the key is refused unread. */
    static final int ORDER = -900;

    @Inject ServerConfig config;
    @Inject RouteProblems problems;

    private final AtomicInteger reading = new AtomicInteger();

    void install(@Observes Router router) {
        ServerConfig.Http http = config.http();
        long maxBodyBytes = config.limits().maxBodyBytes();
        router.route().order(ORDER).handler(rc -> admit(rc, http, maxBodyBytes));
    }

    private void admit(RoutingContext rc, ServerConfig.Http http, long maxBodyBytes) {
        HttpServerRequest request = rc.request();
        long declared = declaredLength(request);
        if (request.version() == HttpVersion.HTTP_2) {
            // Quarkus REST cannot take an HTTP/2 body read ahead (it pauses the finished stream and
            // fails), so HTTP/2, off by default (quarkus.http.http2), is left to read its own
            // bodies.
            rc.next();
            return;
        }
        if (request.isEnded() || !hasBody(request, declared) || declared > maxBodyBytes) {
            // nothing to read, or a body that BodySizeFilter refuses from its Content-Length unread
            rc.next();
            return;
        }
        if (reading.incrementAndGet() > http.maxConcurrentBodyReads()) {
            reading.decrementAndGet();
            rc.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
            problems.sendAndClose(
                    rc,
                    ProblemType.UNAVAILABLE,
                    "too many request bodies are being received at once; retry shortly");
            return;
        }
        new BodyRead(rc, maxBodyBytes, http.bodyReadDeadline(), reading::decrementAndGet, problems)
                .start();
    }

    /**
     * As Vert.x's BodyHandler decides: a chunked request may carry a body, others by their length.
     */
    private static boolean hasBody(HttpServerRequest request, long declared) {
        return request.headers().contains(HttpHeaders.TRANSFER_ENCODING) || declared > 0;
    }

    /** The Content-Length, or -1 when absent or unreadable (Quarkus REST then reports it). */
    private static long declaredLength(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return -1;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
