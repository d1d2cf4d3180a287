package dev.csmserver.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.golden.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The service on a folder laid out like the published {@code sesame/csm-1b} ({@code csm/hub/} of
 * the golden set): it loads, and its two published voice prompts are built-in read-only contexts,
 * usable as {@code context_id} and as the OpenAI {@code voice}.
 */
@QuarkusTest
@TestProfile(BuiltInVoicesTest.OnTheHubFolder.class)
public class BuiltInVoicesTest {
    /**
     * Seconds of audio /v1/audio/speech may give when no limit is configured lower (more than the
     * old 10 s cut).
     */
    static final int MAX_AUDIO_MS = 12_000;

    /** The test profile on the golden set's hub folder. */
    public static class OnTheHubFolder implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "csm.model.dir",
                    Fixtures.csm().resolve("hub").toAbsolutePath().toString(),
                    "csm.limits.max-audio-ms",
                    Integer.toString(MAX_AUDIO_MS));
        }
    }

    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    @Test
    public void theHubFolderIsTheModelThatIsReady() {
        given().when()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("checks.find { it.name == 'model' }.data.model", equalTo("local:hub"))
                .body("checks.find { it.name == 'model' }.data.demo", is(false));
    }

    @Test
    public void theHubFolderServesTheSameAudioAsTheDownloadedModelAndTheFolderLoadedDirectly() {
        // HubDownloadTest holds the service that downloaded these files to the same reference.
        byte[] served =
                given().contentType("application/json")
                        .body(HubDownloadTest.SPEECH)
                        .when()
                        .post("/v1/speech")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asByteArray();
        assertArrayEquals(HubDownloadTest.fromTheFolder(), served);
    }

    @Test
    public void bothPublishedVoicesAreListedAsBuiltIn() {
        given().when()
                .get("/v1/contexts")
                .then()
                .statusCode(200)
                .body("contexts.id", hasItems("conversational_a", "conversational_b"))
                .body("contexts.find { it.id == 'conversational_a' }.speaker", is(0))
                .body("contexts.find { it.id == 'conversational_b' }.speaker", is(1))
                .body("contexts.find { it.id == 'conversational_a' }.built_in", is(true))
                .body("contexts.find { it.id == 'conversational_a' }.frames", greaterThan(0))
                .body(
                        "contexts.find { it.id == 'conversational_a' }.text",
                        org.hamcrest.Matchers.startsWith("like revising for an exam"));
        given().when()
                .get("/v1/contexts/conversational_b")
                .then()
                .statusCode(200)
                .body("built_in", is(true))
                .body("speaker", is(1));
    }

    @Test
    public void builtInVoicesCannotBeDeletedOrOverwritten() {
        given().when()
                .delete("/v1/contexts/conversational_a")
                .then()
                .statusCode(409)
                .contentType(ProblemMapper.PROBLEM_JSON)
                .body("type", equalTo("urn:csm-server:problem:context-read-only"));
        given().multiPart("audio", "a.wav", ApiTestSupport.wav(0.5, 24_000), "audio/wav")
                .multiPart("text", "Hi.")
                .multiPart("id", "conversational_b")
                .when()
                .post("/v1/contexts")
                .then()
                .statusCode(409)
                .body("type", equalTo("urn:csm-server:problem:context-read-only"));
        ApiTestSupport.speech(
                        "{\"text\":\"Hi.\",\"max_audio_length_ms\":160,\"save_as\":\"conversational_a\"}")
                .then()
                .statusCode(409)
                .contentType(ProblemMapper.PROBLEM_JSON)
                .body("type", equalTo("urn:csm-server:problem:context-read-only"));
        given().when()
                .get("/v1/contexts/conversational_a")
                .then()
                .statusCode(200)
                .body("built_in", is(true));
    }

    @Test
    public void aBuiltInVoiceConditionsSpeechAsAContextId() {
        ApiTestSupport.speech(
                        "{\"text\":\"Hello there.\",\"speaker\":0,\"max_audio_length_ms\":240,\"seed\":3,"
                                + "\"stream\":false,\"response_format\":\"pcm\",\"context\":[{\"context_id\":\"conversational_a\"}]}")
                .then()
                .statusCode(200)
                .header(SpeechService.X_MODEL, equalTo("local:hub"));
    }

    @Test
    public void theOpenAiVoiceRunsPastTenSecondsWhenTheRequestHasNoLength() {
        Response r =
                given().contentType(ContentType.JSON)
                        .body(
                                "{\"model\":\"csm-1b\",\"input\":\"Hello there.\",\"voice\":\"conversational_b\","
                                        + "\"response_format\":\"pcm\"}")
                        .when()
                        .post("/v1/audio/speech");
        r.then().statusCode(200);
        double seconds = r.asByteArray().length / 2.0 / 24_000;
        // The tiny random model rarely draws the all-zero end frame, so it runs to the configured
        // maximum.
        assertTrue(
                seconds > 10.0,
                "audio of " + seconds + " s: the OpenAI route must not stop at 10 s");
        assertTrue(
                seconds <= MAX_AUDIO_MS / 1000.0 + 1e-9,
                seconds + " s is within the configured maximum");
    }
}
