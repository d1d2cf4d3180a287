package dev.csmserver.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request body being read on the event loop for {@link BodyReadGuard}: buffered up to {@code
 * maxBytes}, cut at the deadline, and its read slot given back exactly once, whatever ends it (the
 * last byte, the deadline, the size limit, or the client going away). A complete body is handed on
 * as the routing context's body, which Quarkus REST reads instead of the connection.
 */
final class BodyRead {
    private final RoutingContext rc;
    private final long maxBytes;
    private final Duration deadline;
    private final Runnable releaseSlot;
    private final RouteProblems problems;
    private final Buffer body = Buffer.buffer();
    private long timer = -1;
    private boolean done;

    /** Atomic: the response may end on a worker thread, after REST took the request over. */
    private final AtomicBoolean released = new AtomicBoolean();

    BodyRead(
            RoutingContext rc,
            long maxBytes,
            Duration deadline,
            Runnable releaseSlot,
            RouteProblems problems) {
        this.rc = rc;
        this.maxBytes = maxBytes;
        this.deadline = deadline;
        this.releaseSlot = releaseSlot;
        this.problems = problems;
    }

    /** Starts reading; the read's callbacks all run on this request's event loop. */
    void start() {
        HttpServerRequest request = rc.request();
        rc.addEndHandler(x -> release());
        timer = rc.vertx().setTimer(Math.max(1, deadline.toMillis()), id -> timedOut());
        request.handler(this::append);
        request.endHandler(end -> complete());
        request.exceptionHandler(e -> stop());
        continueIfExpected(request);
        request.resume();
    }

    /**
     * Answers {@code Expect: 100-continue} here, as the body is read here; the header is then
     * removed so that Quarkus REST, which finds the body already read, does not answer it a second
     * time.
     */
    private void continueIfExpected(HttpServerRequest request) {
        String expect = request.getHeader(HttpHeaders.EXPECT);
        if (expect != null && expect.equalsIgnoreCase("100-continue")) {
            if (request.version() != HttpVersion.HTTP_1_0) {
                rc.response().writeContinue();
            }
            request.headers().remove(HttpHeaders.EXPECT);
        }
    }

    private void append(Buffer chunk) {
        if (done) {
            return;
        }
        if (body.length() + (long) chunk.length() > maxBytes) {
            stop();
            problems.sendAndClose(
                    rc,
                    ProblemType.BODY_TOO_LARGE,
                    "the request body is larger than the limit of " + maxBytes + " bytes");
            return;
        }
        body.appendBuffer(chunk);
    }

    private void complete() {
        if (done) {
            return;
        }
        stop();
        rc.setBody(body);
        rc.next();
    }

    private void timedOut() {
        if (done) {
            return;
        }
        stop();
        problems.sendAndClose(
                rc,
                ProblemType.REQUEST_TIMEOUT,
                "the request body did not arrive within "
                        + deadline.toMillis()
                        + " ms; send it at once");
    }

    private void stop() {
        done = true;
        rc.vertx().cancelTimer(timer);
        release();
    }

    private void release() {
        if (released.compareAndSet(false, true)) {
            releaseSlot.run();
        }
    }
}
