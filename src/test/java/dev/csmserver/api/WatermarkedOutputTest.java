package dev.csmserver.api;

import static dev.csmserver.api.ApiTestSupport.speech;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;

import dev.csmserver.audio.Pcm;
import dev.csmserver.audio.WavWriter;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every output of the service carries the watermark: each response format, streamed and not, is
 * sent back to {@code /v1/watermark/detect} (multipart, as a browser would) and detected. Raw PCM
 * has no header, so the test wraps it in a WAV header before uploading it.
 */
@QuarkusTest
public class WatermarkedOutputTest {
    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    // The demo's random codec is a poor carrier: a few seconds are needed to cross the threshold.
    private static final String TEXT = "Hello there friend, how are you doing today?";

    @ParameterizedTest(name = "{0}, stream={1}")
    @CsvSource({
        "wav,true",
        "wav,false",
        "pcm,true",
        "pcm,false",
        "mp3,true",
        "mp3,false",
        "flac,true",
        "flac,false",
        "opus,true",
        "opus,false"
    })
    public void everyFormatStreamedOrNotIsDetected(String format, boolean stream) {
        // Opus (a perceptual codec at 64 kbps) keeps less of the mark on the demo's noise than on
        // speech.
        int ms = format.equals("opus") ? 20000 : 8000;
        byte[] audio =
                speech(
                                "{\"text\":\""
                                        + TEXT
                                        + "\",\"max_audio_length_ms\":"
                                        + ms
                                        + ",\"seed\":5,"
                                        + "\"response_format\":\""
                                        + format
                                        + "\",\"stream\":"
                                        + stream
                                        + "}")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asByteArray();
        byte[] file = format.equals("pcm") ? wavAround(audio) : audio;
        given().multiPart("audio", "speech." + format, file)
                .when()
                .post("/v1/watermark/detect")
                .then()
                .log()
                .ifValidationFails()
                .statusCode(200)
                .body("detected", is(true));
    }

    /** A complete 24 kHz mono 16-bit WAV around raw s16le samples. */
    private static byte[] wavAround(byte[] pcm) {
        ByteBuffer le = ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN);
        float[] samples = new float[pcm.length / 2];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = le.getShort() / 32768f;
        }
        return WavWriter.write(new Pcm(samples, 24000));
    }
}
