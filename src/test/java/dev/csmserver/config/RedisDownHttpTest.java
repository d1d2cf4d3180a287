package dev.csmserver.config;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.csmserver.api.ModelReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis down, end to end: with {@code csm.contexts.store=redis} and nothing listening at {@code
 * quarkus.redis.hosts}, context routes answer 503 problem+json, while generation without contexts
 * keeps working and the pod stays ready (readiness must not follow Redis, or every replica would
 * leave the Service together).
 */
@QuarkusTest
@TestProfile(RedisDownHttpTest.RedisUnreachable.class)
class RedisDownHttpTest {
    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    /** The Redis store pointed at a loopback port nothing listens on. */
    public static class RedisUnreachable implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try (ServerSocket s =
                    new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                return Map.of(
                        "csm.contexts.store",
                        "redis",
                        "quarkus.redis.hosts",
                        "redis://127.0.0.1:" + s.getLocalPort());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void contextRoutesAnswer503ProblemJson() {
        given().when()
                .get("/v1/contexts")
                .then()
                .statusCode(503)
                .contentType("application/problem+json")
                .body("status", equalTo(503));
        given().when()
                .get("/v1/contexts/any")
                .then()
                .statusCode(503)
                .contentType("application/problem+json");
        given().when()
                .delete("/v1/contexts/any")
                .then()
                .statusCode(503)
                .contentType("application/problem+json");
    }

    @Test
    void speechWithAStoredContextIs503AndWithoutOneStillWorks() {
        given().contentType(ContentType.JSON)
                .body(
                        "{\"text\":\"Needs a context.\",\"max_audio_length_ms\":160,"
                                + "\"context\":[{\"context_id\":\"ctx-anything\"}]}")
                .when()
                .post("/v1/speech")
                .then()
                .statusCode(503)
                .contentType("application/problem+json");
        given().contentType(ContentType.JSON)
                .body("{\"text\":\"No context needed.\",\"max_audio_length_ms\":160}")
                .when()
                .post("/v1/speech")
                .then()
                .statusCode(200)
                .contentType("audio/wav");
    }

    @Test
    void podStaysReadyWhileRedisIsDown() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }
}
