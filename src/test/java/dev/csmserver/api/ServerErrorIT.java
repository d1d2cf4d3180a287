package dev.csmserver.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * {@link ServerErrorTest} against the packaged application. Its case needs {@link FaultResource},
 * which is a test class and so not in the packaged jar: it is skipped here, and this run checks
 * instead that the jar indeed does not serve the fault resource.
 */
@QuarkusIntegrationTest
public class ServerErrorIT extends ServerErrorTest {
    @Override
    @Disabled("FaultResource, the only way to throw an Error, is not in the packaged jar")
    public void aJvmErrorIsA500ProblemAndTheServiceGoesOn() {}

    @Override
    @Disabled("FaultResource, the only way to throw an Error in a step, is not in the packaged jar")
    public void anErrorInsideTheWorkersStepFailsThatRequestAndTheNextOneIsServed() {}

    @Test
    public void thePackagedAppHasNoFaultResource() {
        given().when()
                .get("/test-only/faults/out-of-memory")
                .then()
                .statusCode(404)
                .contentType(startsWith(ProblemMapper.PROBLEM_JSON))
                .body("type", is("urn:csm-server:problem:not-found"));
    }
}
