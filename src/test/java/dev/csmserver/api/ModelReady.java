package dev.csmserver.api;

import static io.restassured.RestAssured.given;

import java.time.Duration;

/**
 * The service loads its model in the background after the HTTP server is up, so an HTTP test waits
 * for readiness before it sends work (as a load balancer would).
 */
public final class ModelReady {
    private static final Duration LIMIT = Duration.ofMinutes(3);

    private ModelReady() {}

    /** Polls {@code /q/health/ready} until it answers 200; fails after {@link #LIMIT}. */
    public static void await() {
        long end = System.nanoTime() + LIMIT.toNanos();
        String last = "";
        while (System.nanoTime() < end) {
            var r = given().when().get("/q/health/ready");
            if (r.statusCode() == 200) {
                return;
            }
            last = r.asString();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for the model", e);
            }
        }
        throw new AssertionError("the model did not get ready within " + LIMIT + ": " + last);
    }
}
