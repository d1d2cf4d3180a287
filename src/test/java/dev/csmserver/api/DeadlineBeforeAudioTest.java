package dev.csmserver.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request whose deadline passes before any of its audio exists is a 504 problem+json, whether it
 * asked for a stream, a whole file or OpenAI's events, never a 200 with an empty or short file.
 * (The profile's deadline is one microsecond: every request is past it when the worker takes it.)
 */
@QuarkusTest
@TestProfile(DeadlineBeforeAudioTest.TinyDeadline.class)
public class DeadlineBeforeAudioTest {
    /** A deadline no request can meet. */
    public static class TinyDeadline implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("csm.queue.deadline", "PT0.000001S");
        }
    }

    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    @Test
    public void aStreamedRequestPastItsDeadlineIsA504Problem() {
        ApiTestSupport.speech("{\"text\":\"Too late.\",\"max_audio_length_ms\":800}")
                .then()
                .statusCode(504)
                .contentType(ProblemMapper.PROBLEM_JSON)
                .body("type", equalTo("urn:csm-server:problem:deadline-exceeded"));
    }

    @Test
    public void aWholeFileOrEventRequestPastItsDeadlineIsA504Problem() {
        ApiTestSupport.speech(
                        "{\"text\":\"Too late.\",\"max_audio_length_ms\":800,\"stream\":false,"
                                + "\"response_format\":\"wav\"}")
                .then()
                .statusCode(504)
                .contentType(ProblemMapper.PROBLEM_JSON)
                .body("type", equalTo("urn:csm-server:problem:deadline-exceeded"));
        given().contentType(ContentType.JSON)
                .body(
                        "{\"input\":\"Too late.\",\"voice\":\"0\",\"response_format\":\"pcm\",\"stream_format\":\"sse\"}")
                .when()
                .post("/v1/audio/speech")
                .then()
                .statusCode(504)
                .contentType(ProblemMapper.PROBLEM_JSON)
                .body("type", equalTo("urn:csm-server:problem:deadline-exceeded"));
    }

    @Test
    public void theMetricsCountTheDeadline() {
        ApiTestSupport.speech("{\"text\":\"Too late.\",\"max_audio_length_ms\":800}")
                .then()
                .statusCode(504);
        given().when()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .body(containsString("outcome=\"deadline\""));
    }
}
