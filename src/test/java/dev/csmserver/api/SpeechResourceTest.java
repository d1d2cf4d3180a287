package dev.csmserver.api;

import static dev.csmserver.api.ApiTestSupport.HEADER;
import static dev.csmserver.api.ApiTestSupport.le32;
import static dev.csmserver.api.ApiTestSupport.riffCount;
import static dev.csmserver.api.ApiTestSupport.speech;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/speech} and {@code /v1/audio/speech} against the real pipeline on the built-in demo
 * model.
 */
@QuarkusTest
public class SpeechResourceTest {
    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    private static final int FRAME_BYTES = 1920 * 2;

    @Test
    public void streamsOneWavWithASingleHeaderOfUnknownSize() {
        Response r = speech("{\"text\":\"Hello there.\",\"max_audio_length_ms\":800,\"seed\":11}");
        r.then()
                .statusCode(200)
                .contentType("audio/wav")
                .header("X-Seed", "11")
                .header("X-Model", "demo-tiny-random")
                .header("X-Request-Id", notNullValue())
                .header("Content-Disposition", "attachment; filename=\"speech.wav\"");
        byte[] body = r.asByteArray();
        assertEquals("RIFF", new String(body, 0, 4));
        assertEquals(-1, le32(body, 4), "RIFF size is unknown in a stream");
        assertEquals(-1, le32(body, 40), "data size is unknown in a stream");
        assertEquals(1, riffCount(body), "exactly one header");
        int data = body.length - HEADER;
        assertEquals(0, data % FRAME_BYTES, "whole 80 ms frames");
        assertTrue(data > 0 && data <= 10 * FRAME_BYTES, "at most 800 ms: " + data);
    }

    @Test
    public void theSameSeedGivesTheSameAudioAndAnotherSeedDoesNot() {
        String req = "{\"text\":\"Same seed.\",\"max_audio_length_ms\":640,\"seed\":%d}";
        byte[] a = speech(String.format(req, 5)).then().statusCode(200).extract().asByteArray();
        byte[] b = speech(String.format(req, 5)).then().statusCode(200).extract().asByteArray();
        byte[] c = speech(String.format(req, 6)).then().statusCode(200).extract().asByteArray();
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
    }

    @Test
    public void nonStreamingWavAndPcmCarryTheSameSamples() {
        String base = "{\"text\":\"Formats.\",\"max_audio_length_ms\":480,\"seed\":3";
        byte[] streamed = speech(base + "}").then().statusCode(200).extract().asByteArray();
        byte[] whole =
                speech(base + ",\"stream\":false}")
                        .then()
                        .statusCode(200)
                        .contentType("audio/wav")
                        .extract()
                        .asByteArray();
        byte[] pcm =
                speech(base + ",\"response_format\":\"pcm\"}")
                        .then()
                        .statusCode(200)
                        .contentType("audio/pcm")
                        .extract()
                        .asByteArray();
        assertEquals(whole.length - 8, le32(whole, 4), "a complete file has real sizes");
        assertEquals(whole.length - HEADER, le32(whole, 40));
        assertArrayEquals(Arrays.copyOfRange(streamed, HEADER, streamed.length), pcm);
        assertArrayEquals(pcm, Arrays.copyOfRange(whole, HEADER, whole.length));
    }

    @Test
    public void echoesTheClientsRequestIdAndPicksASeedWhenNoneIsGiven() {
        Response r =
                given().contentType(ContentType.JSON)
                        .header("X-Request-Id", "client-id-42")
                        .body("{\"text\":\"Ids.\",\"max_audio_length_ms\":160}")
                        .post("/v1/speech");
        r.then()
                .statusCode(200)
                .header("X-Request-Id", "client-id-42")
                .header("X-Seed", notNullValue());
        Long.parseLong(r.header("X-Seed"));
    }

    @Test
    public void inlineContextAudioIsEncodedAndConditionsTheTurn() {
        String audio = java.util.Base64.getEncoder().encodeToString(ApiTestSupport.wav(0.5, 16000));
        String ctx =
                "{\"text\":\"Reply.\",\"speaker\":1,\"max_audio_length_ms\":320,\"seed\":9,\"context\":["
                        + "{\"text\":\"Hi.\",\"speaker\":0,\"audio\":\""
                        + audio
                        + "\"}]}";
        byte[] with = speech(ctx).then().statusCode(200).extract().asByteArray();
        byte[] without =
                speech("{\"text\":\"Reply.\",\"speaker\":1,\"max_audio_length_ms\":320,\"seed\":9}")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asByteArray();
        assertFalse(Arrays.equals(with, without), "context changes the prompt, so the codes");
    }

    @Test
    public void saveAsStoresTheGeneratedTurnForTheNextOne() {
        given().when().delete("/v1/contexts/saved-turn-1");
        byte[] body =
                speech(
                                "{\"text\":\"First turn.\",\"max_audio_length_ms\":400,\"seed\":4,"
                                        + "\"save_as\":\"saved-turn-1\"}")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asByteArray();
        int frames = (body.length - HEADER) / FRAME_BYTES;
        given().when()
                .get("/v1/contexts/saved-turn-1")
                .then()
                .statusCode(200)
                .body("frames", equalTo(frames))
                .body("text", equalTo("First turn."))
                .body("speaker", equalTo(0));
        speech(
                        "{\"text\":\"Second turn.\",\"speaker\":1,\"max_audio_length_ms\":240,"
                                + "\"context\":[{\"context_id\":\"saved-turn-1\"}]}")
                .then()
                .statusCode(200);
        given().when().delete("/v1/contexts/saved-turn-1").then().statusCode(204);
    }

    @Test
    public void openAiAliasSpeaksWithASpeakerNumber() {
        byte[] body =
                given().contentType(ContentType.JSON)
                        .body(
                                "{\"model\":\"csm-1b\",\"input\":\"Hello.\",\"voice\":\"1\",\"response_format\":\"wav\"}")
                        .post("/v1/audio/speech")
                        .then()
                        .statusCode(200)
                        .contentType("audio/wav")
                        .extract()
                        .asByteArray();
        assertEquals("RIFF", new String(body, 0, 4));
    }

    @Test
    public void openAiSseSendsDeltasThenDone() {
        String sse =
                given().contentType(ContentType.JSON)
                        .body(
                                "{\"input\":\"Hello.\",\"voice\":\"0\",\"response_format\":\"pcm\",\"stream_format\":\"sse\"}")
                        .post("/v1/audio/speech")
                        .then()
                        .statusCode(200)
                        .contentType(containsString("text/event-stream"))
                        .header("Content-Disposition", nullValue())
                        .extract()
                        .asString();
        assertTrue(
                sse.startsWith("data: {\"type\":\"speech.audio.delta\""),
                sse.substring(0, Math.min(80, sse.length())));
        assertTrue(sse.strip().endsWith("}"));
        assertTrue(sse.contains("\"type\":\"speech.audio.done\""));
    }

    @Test
    public void healthSaysDemoModelAndWorkerAlive() {
        given().when()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", is("UP"))
                .body("checks.find { it.name == 'model' }.data.demo", is(true));
        given().when().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
    }

    @Test
    public void metricsAreServedWithTheServiceMeters() {
        speech("{\"text\":\"Metrics.\",\"max_audio_length_ms\":160}").then().statusCode(200);
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String series :
                new String[] {
                    "csm_queue_depth",
                    "csm_batch_active",
                    "csm_requests_total",
                    "csm_time_to_first_audio_seconds",
                    "csm_rtf",
                    "csm_frames_total",
                    "csm_audio_generated_seconds_total",
                    "csm_rejections_total",
                    "csm_cancellations_total"
                }) {
            assertTrue(text.contains(series), series + " missing");
        }
    }

    @Test
    public void generatedAudioCarriesTheWatermark() {
        // the demo's random audio is a poor carrier: it takes several seconds to reach the
        // detection threshold
        byte[] wav =
                speech(
                                "{\"text\":\"Hello there friend, how are you doing today?\",\"max_audio_length_ms\":8000,"
                                        + "\"seed\":5,\"stream\":false}")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asByteArray();
        given().contentType("audio/wav")
                .body(wav)
                .when()
                .post("/v1/watermark/detect")
                .then()
                .statusCode(200)
                .body("detected", is(true));
        given().contentType("audio/wav")
                .body(ApiTestSupport.wav(3.0, 24000))
                .when()
                .post("/v1/watermark/detect")
                .then()
                .statusCode(200)
                .body("detected", is(false));
    }

    @Test
    public void swaggerUiIsServed() {
        given().when().get("/q/swagger-ui/").then().statusCode(200);
    }
}
