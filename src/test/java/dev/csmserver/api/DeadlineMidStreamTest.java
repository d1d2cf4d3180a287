package dev.csmserver.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A stream its deadline cuts after audio went out ends as failed: the streamed body is aborted (the
 * client's read fails, it never looks like a complete short file) and an SSE stream ends with an
 * {@code error} event instead of {@code speech.audio.done}. The profile's deadline (2 s) is far
 * shorter than the 20 s of audio asked for.
 */
@QuarkusTest
@TestProfile(DeadlineMidStreamTest.ShortDeadline.class)
public class DeadlineMidStreamTest {
    /** Deadline of 2 s; streams of 20 s. */
    public static class ShortDeadline implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("csm.queue.deadline", "2s");
        }
    }

    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    @Test
    public void aStreamCutByItsDeadlineIsAborted() throws Exception {
        HttpResponse<InputStream> r =
                ApiTestSupport.client()
                        .send(
                                ApiTestSupport.post(
                                        "/v1/speech",
                                        "{\"text\":\"A long answer.\",\"max_audio_length_ms\":20000,\"seed\":1}"),
                                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        try (InputStream body = r.body()) {
            byte[] first = body.readNBytes(ApiTestSupport.HEADER + 1920 * 2);
            assertEquals(
                    ApiTestSupport.HEADER + 1920 * 2,
                    first.length,
                    "header and audio before the deadline");
            assertThrows(
                    IOException.class,
                    body::readAllBytes,
                    "the body ends as failed, not as a complete file");
        }
    }

    @Test
    public void anEventStreamCutByItsDeadlineEndsWithAnErrorEvent() throws Exception {
        HttpResponse<String> r =
                ApiTestSupport.client()
                        .send(
                                ApiTestSupport.post(
                                        "/v1/audio/speech",
                                        "{\"input\":\"A long answer.\",\"voice\":\"0\",\"response_format\":\"pcm\",\"stream_format\":\"sse\"}"),
                                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode());
        String sse = r.body().strip();
        assertTrue(
                sse.startsWith("data: {\"type\":\"speech.audio.delta\""),
                sse.substring(0, Math.min(80, sse.length())));
        String last = sse.substring(sse.lastIndexOf("data: "));
        assertTrue(
                last.startsWith("data: {\"type\":\"error\"")
                        && last.contains("urn:csm-server:problem:deadline-exceeded"),
                last);
        assertFalse(sse.contains("speech.audio.done"));
    }
}
