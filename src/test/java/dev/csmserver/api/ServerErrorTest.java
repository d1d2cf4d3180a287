package dev.csmserver.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

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
}
