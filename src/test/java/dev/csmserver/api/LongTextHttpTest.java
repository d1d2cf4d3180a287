package dev.csmserver.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponse;
import com.openai.models.audio.speech.SpeechCreateParams;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.InputStream;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Texts far longer than one generation, over HTTP on the demo model (its parts kept short by the
 * test profile's csm.long-text settings): read whole in parts, one WAV header and every frame in
 * one stream, the whole reading saved by save_as, the same bytes for the same seed, and OpenAI's
 * own Java SDK reading a 4000-character input through /v1/audio/speech.
 */
@QuarkusTest
public class LongTextHttpTest {
    /** Samples per frame of the demo codec (as the real Mimi: 80 ms at 24 kHz). */
    private static final int FRAME_SAMPLES = 1920;

    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    /** About {@code chars} characters of prose: sentences, clauses, abbreviations, numbers. */
    static String prose(int chars) {
        String[] sentences = {
            "Dr. Brown opened the old book and began to read aloud. ",
            "The first page described a village by the sea, e.g. its harbour and its boats; ",
            "the second, a storm that lasted 3.5 days. ",
            "\"Will they come back?\" asked the child. ",
            "Nobody answered, and the reading went on… ",
            "Years later, the village was rebuilt, stone by stone. "
        };
        StringBuilder b = new StringBuilder();
        for (int i = 0; b.length() < chars; i++) {
            b.append(sentences[i % sentences.length]);
        }
        return b.substring(0, chars).strip();
    }

    /** {@code s} inside a JSON string. */
    static String json(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Test
    public void aLongTextStreamsAsOneWavAndSaveAsStoresTheWholeReading() {
        double longBefore = ApiTestSupport.metric("csm_long_requests_total");
        double partsBefore = ApiTestSupport.metric("csm_parts_total");
        String id = "long-reading-" + System.nanoTime();
        byte[] wav =
                ApiTestSupport.speech(
                                "{\"text\":\""
                                        + json(prose(900))
                                        + "\",\"seed\":3,\"save_as\":\""
                                        + id
                                        + "\"}")
                        .then()
                        .statusCode(200)
                        .contentType("audio/wav")
                        .extract()
                        .asByteArray();
        assertEquals(1, ApiTestSupport.riffCount(wav), "one WAV header for the whole reading");
        int frames =
                given().when()
                        .get("/v1/contexts/" + id)
                        .then()
                        .statusCode(200)
                        .extract()
                        .path("frames");
        assertEquals(
                frames * FRAME_SAMPLES * 2,
                wav.length - ApiTestSupport.HEADER,
                "every frame of every part, once, in one stream");
        assertTrue(
                ApiTestSupport.metric("csm_long_requests_total") >= longBefore + 1,
                "counted as a long request");
        assertTrue(
                ApiTestSupport.metric("csm_parts_total") >= partsBefore + 3,
                "read in several parts");
        given().when().delete("/v1/contexts/" + id).then().statusCode(204);
    }

    @Test
    public void theSameSeedReadsALongTextTheSameTwice() {
        String body = "{\"text\":\"" + json(prose(600)) + "\",\"seed\":77,\"stream\":false}";
        byte[] first = ApiTestSupport.speech(body).then().statusCode(200).extract().asByteArray();
        byte[] second = ApiTestSupport.speech(body).then().statusCode(200).extract().asByteArray();
        assertTrue(first.length > ApiTestSupport.HEADER + FRAME_SAMPLES * 2);
        assertArrayEquals(first, second);
    }

    @Test
    public void theOpenAiJavaSdkReadsA4000CharacterTextWhole() throws Exception {
        OpenAIClient client =
                OpenAIOkHttpClient.builder()
                        .apiKey("not-needed")
                        .baseUrl(RestAssured.baseURI + ":" + RestAssured.port + "/v1")
                        .timeout(Duration.ofMinutes(5))
                        .maxRetries(0)
                        .build();
        String input = prose(4000);
        SpeechCreateParams params =
                SpeechCreateParams.builder()
                        .model("tts-1")
                        .voice("0")
                        .input(input)
                        .responseFormat(SpeechCreateParams.ResponseFormat.WAV)
                        .build();
        byte[] wav;
        try (HttpResponse r = client.audio().speech().create(params);
                InputStream body = r.body()) {
            assertEquals(200, r.statusCode());
            wav = body.readAllBytes();
        } finally {
            client.close();
        }
        assertEquals(1, ApiTestSupport.riffCount(wav));
        int pcmBytes = wav.length - ApiTestSupport.HEADER;
        assertEquals(0, pcmBytes % (FRAME_SAMPLES * 2), "whole frames only");
        int frames = pcmBytes / (FRAME_SAMPLES * 2);
        // The test profile caps one generation at 20 s (250 frames): the reading went on past
        // it, part after part, to the end of the text.
        assertTrue(frames > 250, "only " + frames + " frames for 4000 characters");
    }
}
