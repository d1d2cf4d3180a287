package dev.csmserver.config;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.api.ModelReady;
import dev.csmserver.audio.Pcm;
import dev.csmserver.audio.WavWriter;
import dev.csmserver.contexts.CorruptEntries;
import dev.csmserver.contexts.StoredContext;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Scale-out, end to end: the app runs with {@code csm.contexts.store=redis} on a real redis-server,
 * and a second {@link RedisContextStore} on the same Redis plays another replica. A context
 * uploaded over HTTP is seen by the other replica, and one stored by the other replica is listed,
 * read and used for speech over HTTP.
 */
@QuarkusTest
@TestProfile(SharedContextsHttpTest.RedisStore.class)
class SharedContextsHttpTest {
    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    static final String PREFIX = "csm-http-test:";

    /** The Redis store, on the redis-server of {@link RedisTestResource}. */
    public static class RedisStore implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("csm.contexts.store", "redis", "csm.contexts.redis-prefix", PREFIX);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RedisTestResource.class));
        }
    }

    private static byte[] wav(double seconds, int rateHz) {
        float[] s = new float[(int) Math.round(seconds * rateHz)];
        for (int i = 0; i < s.length; i++) {
            double t = i / (double) rateHz;
            s[i] = (float) (0.3 * Math.sin(2 * Math.PI * (180 + 120 * t) * t));
        }
        return WavWriter.write(new Pcm(s, rateHz));
    }

    @Test
    void contextUploadedThroughOneReplicaIsSeenByAnother() {
        RedisContextStore otherReplica =
                new RedisContextStore(RedisTestResource.server().newDataSource(), PREFIX);
        otherReplica.delete("ctx-from-http");
        given().multiPart("audio", "turn.wav", wav(1.0, 24000), "audio/wav")
                .multiPart("text", "Hello from replica A.")
                .multiPart("speaker", "1")
                .multiPart("id", "ctx-from-http")
                .when()
                .post("/v1/contexts")
                .then()
                .statusCode(201);

        StoredContext seen = otherReplica.get("ctx-from-http").orElseThrow();
        assertEquals("Hello from replica A.", seen.text());
        assertEquals(1, seen.speaker());
        assertTrue(seen.numFrames() > 0, "Mimi codes stored once, shared");
        assertTrue(otherReplica.delete("ctx-from-http"));
        given().when().get("/v1/contexts/ctx-from-http").then().statusCode(404);
    }

    @Test
    void contextStoredByAnotherReplicaIsUsableOverHttp() {
        RedisContextStore otherReplica =
                new RedisContextStore(RedisTestResource.server().newDataSource(), PREFIX);
        // Real Mimi codes for the running model: encode a probe once, then let replica B store them
        // under its own id and timestamp, as B would after an upload of its own.
        otherReplica.delete("ctx-probe");
        given().multiPart("audio", "turn.wav", wav(0.5, 16000), "audio/wav")
                .multiPart("text", "probe")
                .multiPart("id", "ctx-probe")
                .when()
                .post("/v1/contexts")
                .then()
                .statusCode(201);
        StoredContext fromB = otherReplica.get("ctx-probe").orElseThrow();
        otherReplica.create(
                new StoredContext(
                        "ctx-from-b",
                        0,
                        "Stored by replica B.",
                        fromB.codes(),
                        fromB.durationSeconds(),
                        Instant.now()));
        otherReplica.delete("ctx-probe");

        given().when()
                .get("/v1/contexts")
                .then()
                .statusCode(200)
                .body("contexts.id", hasItem("ctx-from-b"));
        given().when()
                .get("/v1/contexts/ctx-from-b")
                .then()
                .statusCode(200)
                .body("text", equalTo("Stored by replica B."));
        given().contentType(ContentType.JSON)
                .body(
                        "{\"text\":\"Using B's context.\",\"speaker\":0,\"max_audio_length_ms\":240,"
                                + "\"context\":[{\"context_id\":\"ctx-from-b\"}]}")
                .when()
                .post("/v1/speech")
                .then()
                .statusCode(200);
        given().when().delete("/v1/contexts/ctx-from-b").then().statusCode(204);
        assertTrue(otherReplica.get("ctx-from-b").isEmpty());
    }

    @Test
    void aBadValueInRedisDoesNotBreakTheListAndIsAProblemWhenRead() {
        RedisDataSource raw = RedisTestResource.server().newDataSource();
        raw.value(byte[].class)
                .set(PREFIX + "ctx:ctx-bad-value", CorruptEntries.bogusHeader("ctx-bad-value"));
        raw.sortedSet(String.class).zadd(PREFIX + "index", 1, "ctx-bad-value");
        try {
            given().when()
                    .get("/v1/contexts")
                    .then()
                    .statusCode(200)
                    .body("contexts.id", not(hasItem("ctx-bad-value")));
            given().when()
                    .get("/v1/contexts/ctx-bad-value")
                    .then()
                    .statusCode(500)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:csm-server:problem:context-corrupt"));
            given().multiPart("audio", "turn.wav", wav(0.5, 16000), "audio/wav")
                    .multiPart("text", "again")
                    .multiPart("id", "ctx-bad-value")
                    .when()
                    .post("/v1/contexts")
                    .then()
                    .statusCode(409)
                    .body("type", equalTo("urn:csm-server:problem:context-exists"));
        } finally {
            given().when().delete("/v1/contexts/ctx-bad-value").then().statusCode(204);
        }
    }
}
