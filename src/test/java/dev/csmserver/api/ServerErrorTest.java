package dev.csmserver.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A server error is a 500 problem+json that names no internals, whatever was thrown: JVM errors
 * such as OutOfMemoryError and StackOverflowError included, which used to come back as text/plain
 * (issue 16); and the service goes on serving. No client request can make the service throw an
 * Error, so the faults come from {@link FaultResource}, a resource that only the
 * {@code @QuarkusTest} run has.
 */
@QuarkusTest
public class ServerErrorTest {
    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    @Test
    public void aJvmErrorIsA500ProblemAndTheServiceGoesOn() {
        for (String fault : new String[] {"out-of-memory", "stack-overflow", "checked"}) {
            given().when()
                    .get("/test-only/faults/" + fault)
                    .then()
                    .statusCode(500)
                    .contentType(startsWith(ProblemMapper.PROBLEM_JSON))
                    .body("type", is("urn:csm-server:problem:internal-error"))
                    .body("detail", is("internal error; see the server log for request id"));
        }
        ApiTestSupport.speech(
                        "{\"text\":\"Still fine.\",\"max_audio_length_ms\":160,\"stream\":false}")
                .then()
                .statusCode(200);
        given().when().get("/q/health/ready").then().statusCode(200);
        given().when().get("/q/health/live").then().statusCode(200);
    }

    /**
     * A real OutOfMemoryError inside the worker's batch step (thrown by the request's audio sink):
     * a whole-file request gets a 500 problem+json, an SSE request that already had audio ends with
     * an {@code error} event of type internal-error; the worker serves the next request and
     * liveness stays UP.
     */
    @Test
    public void anErrorInsideTheWorkersStepFailsThatRequestAndTheNextOneIsServed() {
        given().when()
                .get("/test-only/faults/error-in-step")
                .then()
                .statusCode(500)
                .contentType(startsWith(ProblemMapper.PROBLEM_JSON))
                .body("type", is("urn:csm-server:problem:internal-error"));
        String sse =
                given().when()
                        .get("/test-only/faults/error-in-step?sse=true")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asString()
                        .strip();
        assertTrue(sse.startsWith("data: {\"type\":\"speech.audio.delta\""), sse);
        String last = sse.substring(sse.lastIndexOf("data: "));
        assertTrue(
                last.startsWith("data: {\"type\":\"error\"")
                        && last.contains("urn:csm-server:problem:internal-error"),
                last);
        ApiTestSupport.speech(
                        "{\"text\":\"Still fine.\",\"max_audio_length_ms\":160,\"stream\":false}")
                .then()
                .statusCode(200);
        given().when().get("/q/health/live").then().statusCode(200);
    }
}
