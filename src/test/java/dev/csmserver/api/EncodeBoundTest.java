package dev.csmserver.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bound on context encodes over HTTP: with {@code csm.queue.max-pending-encodes=1}, while a 60
 * s upload is being encoded (24 chunks of 2.56 s, seen through {@code
 * csm_context_encodes_pending}), the next upload gets a 429 {@code queue-full} problem with {@code
 * Retry-After}; once the first is stored the service is healthy and takes the second.
 */
@QuarkusTest
@TestProfile(EncodeBoundTest.OneEncodeAtATime.class)
public class EncodeBoundTest {
    /** One pending encode; uploads up to 60 s long. */
    public static class OneEncodeAtATime implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "csm.queue.max-pending-encodes", "1",
                    "csm.limits.max-context-audio-ms", "60000");
        }
    }

    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    private static Response upload(byte[] wav, String id) {
        return given().multiPart("audio", "turn.wav", wav, "audio/wav")
                .multiPart("text", "How are you doing today?")
                .multiPart("speaker", "0")
                .multiPart("id", id)
                .when()
                .post("/v1/contexts");
    }

    @Test
    public void anUploadPastTheEncodeBoundIs429WithRetryAfterAndTheServiceRecovers()
            throws Exception {
        String run = Long.toString(System.nanoTime());
        byte[] long60s = ApiTestSupport.wav(60.0, 8000); // 0.96 MB: under the 1 MB upload cap
        byte[] short1s = ApiTestSupport.wav(1.0, 24000);
        ApiTestSupport.await(30, () -> ApiTestSupport.metric("csm_context_encodes_pending") == 0);
        double chunksBefore = ApiTestSupport.metric("csm_context_encode_chunks_total");
        CompletableFuture<Response> first =
                CompletableFuture.supplyAsync(() -> upload(long60s, "bound-long-" + run));
        ApiTestSupport.await(60, () -> ApiTestSupport.metric("csm_context_encodes_pending") >= 1);

        Response refused = upload(short1s, "bound-short-" + run);
        refused.then()
                .statusCode(429)
                .contentType(ProblemMapper.PROBLEM_JSON)
                .body("type", is("urn:csm-server:problem:queue-full"))
                .body("detail", containsString("context encodes"));
        long retry = Long.parseLong(refused.header("Retry-After"));
        assertTrue(retry >= 1, "Retry-After " + retry);
        assertTrue(ApiTestSupport.metric("csm_context_encode_rejections_total") >= 1);

        first.get(120, TimeUnit.SECONDS).then().statusCode(201);
        assertEquals(
                24.0,
                ApiTestSupport.metric("csm_context_encode_chunks_total") - chunksBefore,
                "60 s in chunks of 2.56 s");
        given().when().get("/q/health").then().statusCode(200).body("status", is("UP"));
        upload(short1s, "bound-short-" + run).then().statusCode(201);
    }
}
