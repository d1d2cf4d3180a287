package dev.csmserver.api;

import static dev.csmserver.api.ApiTestSupport.speech;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Audio at any sample rate from 8 to 192 kHz is accepted wherever audio is (watermark check,
 * context upload, inline context), including rates whose ratio to 24 kHz reduces to large coprime
 * numbers (24001 Hz once took 22 s and 2.4 GB, then a 500); rates outside that range are a 400
 * problem before any work is done.
 */
@QuarkusTest
public class AudioSampleRatesTest {
    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    private static String inlineContext(byte[] wav) {
        return "{\"text\":\"Reply.\",\"speaker\":1,\"max_audio_length_ms\":160,\"context\":[{\"text\":\"Hi.\","
                + "\"speaker\":0,\"audio\":\""
                + Base64.getEncoder().encodeToString(wav)
                + "\"}]}";
    }

    @ParameterizedTest(name = "{0} Hz")
    @ValueSource(ints = {24001, 24011, 44101, 8000, 192000})
    public void oddRatesAreCheckedForTheWatermark(int rate) {
        for (double seconds : new double[] {0.005, 1.0}) {
            given().contentType("audio/wav")
                    .body(ApiTestSupport.wav(seconds, rate))
                    .when()
                    .post("/v1/watermark/detect")
                    .then()
                    .statusCode(200)
                    .body("detected", equalTo(false));
        }
    }

    @ParameterizedTest(name = "{0} Hz")
    @ValueSource(ints = {24001, 44101, 8000, 192000})
    public void oddRatesWorkAsInlineContextAndAsUploads(int rate) {
        speech(inlineContext(ApiTestSupport.wav(0.5, rate)))
                .then()
                .statusCode(200)
                .contentType("audio/wav");
        String id = "ctx-rate-" + rate;
        given().when().delete("/v1/contexts/" + id);
        given().multiPart("audio", "turn.wav", ApiTestSupport.wav(0.5, rate), "audio/wav")
                .multiPart("text", "At an odd rate.")
                .multiPart("id", id)
                .when()
                .post("/v1/contexts")
                .then()
                .statusCode(201)
                .body("frames", equalTo(7));
        given().when().delete("/v1/contexts/" + id).then().statusCode(204);
    }

    @ParameterizedTest(name = "{0} Hz")
    @ValueSource(ints = {7999, 4000, 192001, 384000})
    public void ratesOutsideTheRangeAreAProblemWhereverAudioIsAccepted(int rate) {
        byte[] wav = ApiTestSupport.wav(0.05, rate);
        given().contentType("audio/wav")
                .body(wav)
                .when()
                .post("/v1/watermark/detect")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:csm-server:problem:invalid-audio"))
                .body("detail", containsString("8000 to 192000 Hz"));
        speech(inlineContext(wav))
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:csm-server:problem:invalid-audio"))
                .body("detail", containsString("context[0].audio"))
                .body("detail", not(containsString("capacity")));
        given().multiPart("audio", "turn.wav", wav, "audio/wav")
                .multiPart("text", "Out of range.")
                .when()
                .post("/v1/contexts")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:csm-server:problem:invalid-audio"));
    }
}
