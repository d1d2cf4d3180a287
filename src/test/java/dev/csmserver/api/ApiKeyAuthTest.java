package dev.csmserver.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With {@code csm.auth.api-key} set, everything but {@code /q/health} needs {@code Authorization:
 * Bearer <key>}: a missing or wrong key is a 401 problem+json, the right one is served, with the
 * scheme written in any case.
 */
@QuarkusTest
@TestProfile(ApiKeyAuthTest.WithApiKey.class)
public class ApiKeyAuthTest {
    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    static final String KEY = "test-key-123";

    /** The test profile plus an API key. */
    public static class WithApiKey implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("csm.auth.api-key", KEY);
        }
    }

    @Test
    public void requestsWithoutTheKeyAreRejectedWithProblemJson() {
        String body = "{\"text\":\"Hi.\",\"max_audio_length_ms\":160,\"stream\":false}";
        given().contentType("application/json")
                .body(body)
                .when()
                .post("/v1/speech")
                .then()
                .statusCode(401)
                .contentType(ProblemMapper.PROBLEM_JSON)
                .header("WWW-Authenticate", "Bearer")
                .body("type", is("urn:csm-server:problem:unauthorized"));
        given().header("Authorization", "Bearer wrong")
                .when()
                .get("/v1/contexts")
                .then()
                .statusCode(401);
        given().when().get("/q/metrics").then().statusCode(401);
    }

    @Test
    public void theBearerSchemeMatchesInAnyCaseButTheKeyExactly() {
        // RFC 9110 section 11.1: the authentication scheme is case-insensitive
        for (String scheme : new String[] {"bearer", "BEARER", "bEaReR"}) {
            given().header("Authorization", scheme + " " + KEY)
                    .when()
                    .get("/v1/contexts")
                    .then()
                    .statusCode(200);
        }
        given().header("Authorization", "bearer " + KEY.toUpperCase())
                .when()
                .get("/v1/contexts")
                .then()
                .statusCode(401)
                .contentType(ProblemMapper.PROBLEM_JSON);
        given().header("Authorization", "Basic " + KEY)
                .when()
                .get("/v1/contexts")
                .then()
                .statusCode(401);
        given().header("Authorization", KEY).when().get("/v1/contexts").then().statusCode(401);
    }

    @Test
    public void theRightKeyIsServedAndHealthNeedsNoKey() {
        given().header("Authorization", "Bearer " + KEY)
                .contentType("application/json")
                .body("{\"text\":\"Hi.\",\"max_audio_length_ms\":160,\"stream\":false}")
                .when()
                .post("/v1/speech")
                .then()
                .statusCode(200);
        given().header("Authorization", "Bearer " + KEY)
                .when()
                .get("/v1/contexts")
                .then()
                .statusCode(200);
        given().when().get("/q/health/ready").then().statusCode(200);
        given().when().get("/q/health/live").then().statusCode(200);
    }
}
