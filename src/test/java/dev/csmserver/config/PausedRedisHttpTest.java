package dev.csmserver.config;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.api.ModelReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Redis store that hangs (its redis-server frozen with SIGSTOP) while a streamed {@code save_as}
 * request finishes: the request's audio still arrives in full and its file ends normally, another
 * stream gets its audio meanwhile, and the save, which runs on a store thread, gives up after
 * {@code quarkus.redis.timeout} and is counted as {@code
 * csm_contexts_not_saved_total{reason="unavailable"}} (the README's semantics for a streamed file,
 * whose audio has gone out). The counter stays unchanged until both streams are done, which shows
 * that neither waited for the save. The server is a private one, never the shared test Redis.
 */
@QuarkusTest
@TestProfile(PausedRedisHttpTest.PausableRedis.class)
public class PausedRedisHttpTest {
    private static final int WAV_HEADER = 44;
    private static final int FRAME_BYTES = 1920 * 2;

    /** The Redis store on a private redis-server; Redis calls give up after 5 s. */
    public static class PausableRedis implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "csm.contexts.store", "redis",
                    "csm.contexts.redis-prefix", "csm-paused-test:",
                    "quarkus.redis.timeout", "5s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(PrivateRedisTestResource.class));
        }
    }

    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    private static HttpResponse<InputStream> speech(HttpClient client, String json)
            throws Exception {
        HttpRequest r =
                HttpRequest.newBuilder(
                                URI.create(
                                        RestAssured.baseURI
                                                + ":"
                                                + RestAssured.port
                                                + "/v1/speech"))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofMinutes(2))
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build();
        return client.send(r, HttpResponse.BodyHandlers.ofInputStream());
    }

    /** The Prometheus value of {@code csm_contexts_not_saved_total{reason="unavailable"}}. */
    private static double notSavedUnavailable() {
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("csm_contexts_not_saved_total{")
                    && line.contains("reason=\"unavailable\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** A whole streamed WAV: the header and at least one frame of 16-bit samples, nothing torn. */
    private static void assertCompleteAudio(String what, byte[] wav) {
        assertTrue(wav.length >= WAV_HEADER + FRAME_BYTES, what + ": " + wav.length + " bytes");
        assertEquals(0, (wav.length - WAV_HEADER) % FRAME_BYTES, what + ": whole frames");
    }

    @Test
    public void aPausedStoreLeavesStreamsFlowing() throws Exception {
        RedisServer redis = PrivateRedisTestResource.server();
        String id = "paused-" + System.nanoTime();
        double before = notSavedUnavailable();
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<InputStream> saving =
                speech(
                        client,
                        "{\"text\":\"Keep this turn.\",\"max_audio_length_ms\":2000,\"seed\":3,"
                                + "\"save_as\":\""
                                + id
                                + "\"}");
        assertEquals(200, saving.statusCode(), "save_as is checked against Redis first");
        try (InputStream body = saving.body()) {
            byte[] first = body.readNBytes(WAV_HEADER + FRAME_BYTES);
            redis.pause();
            try {
                byte[] rest = body.readAllBytes(); // ends normally, its save still hanging
                byte[] all = new byte[first.length + rest.length];
                System.arraycopy(first, 0, all, 0, first.length);
                System.arraycopy(rest, 0, all, first.length, rest.length);
                assertCompleteAudio("the save_as stream", all);
                assertEquals(before, notSavedUnavailable(), "the stream ended before its save");

                HttpResponse<InputStream> other =
                        speech(
                                client,
                                "{\"text\":\"Still flowing.\",\"max_audio_length_ms\":2000,"
                                        + "\"seed\":4}");
                assertEquals(200, other.statusCode());
                try (InputStream o = other.body()) {
                    assertCompleteAudio("a stream while the save hangs", o.readAllBytes());
                }
                assertEquals(before, notSavedUnavailable(), "the save still hangs");

                long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (notSavedUnavailable() == before) {
                    assertTrue(System.nanoTime() < end, "the hung save was never counted");
                    Thread.sleep(100);
                }
            } finally {
                redis.resume();
            }
        }
        assertEquals(before + 1, notSavedUnavailable());
        // Redis answers again: the store works, and the id stayed free
        given().contentType(ContentType.JSON)
                .body(
                        "{\"text\":\"Saved now.\",\"max_audio_length_ms\":400,\"seed\":5,"
                                + "\"stream\":false,\"save_as\":\""
                                + id
                                + "-later\"}")
                .when()
                .post("/v1/speech")
                .then()
                .statusCode(200);
        given().when().get("/v1/contexts/" + id + "-later").then().statusCode(200);
        given().when().get("/v1/contexts/" + id).then().statusCode(404);
    }
}
