package dev.csmserver.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Request bodies are read within limits (issue 16). Slow bodies cannot starve the service: more
 * connections than there are worker threads (200 by default) declare a body and trickle it, yet
 * health and speech answer at once, the slow connections are refused beyond the cap on concurrent
 * body reads (503 problem) or cut at the body read deadline (408 problem), and then speech is
 * served again. The limits are the test profile's ({@code
 * %test.csm.http.max-concurrent-body-reads=24}, {@code body-read-deadline=3s}); the time limits
 * here are generous on purpose: the tests judge outcomes, not timings. A chunked body (no declared
 * length) is cut at the size limit, and a client that waits for {@code 100 Continue} gets it.
 */
@QuarkusTest
public class BodyReadTest {
    static final int SLOW_CONNECTIONS = 240;
    static final int CAP = 24;
    private static final HttpClient HTTP_1_1 =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();

    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    @Test
    public void trickledBodiesNeitherStarveSpeechNorHealth() throws Exception {
        try (TricklingClients slow =
                TricklingClients.start("/v1/speech", SLOW_CONNECTIONS, 100_000)) {
            Thread.sleep(1500);
            assertEquals(200, get("/q/health/ready").statusCode(), "readiness during the attack");
            assertEquals(200, get("/q/health/live").statusCode(), "liveness during the attack");
            HttpResponse<String> speech =
                    HTTP_1_1.send(speech(), HttpResponse.BodyHandlers.ofString());
            assertTrue(
                    speech.statusCode() == 200 || isRetryableProblem(speech),
                    "speech during the attack: " + speech.statusCode() + " " + speech.body());

            assertEquals(
                    0,
                    slow.awaitAllEnded(Duration.ofSeconds(40)),
                    "slow connections the server left open");
            assertTrue(
                    slow.answered(503) >= SLOW_CONNECTIONS / 2,
                    "refused beyond the cap with 503: " + slow.answered(503));
            assertTrue(
                    slow.answered(408) >= 1 && slow.answered(408) <= CAP,
                    "cut at the read deadline with 408: " + slow.answered(408));
        }
        HttpResponse<String> after = HTTP_1_1.send(speech(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, after.statusCode(), "speech after the attack: " + after.body());
    }

    @Test
    public void aChunkedBodyOverTheSizeLimitIsA413Problem() throws Exception {
        byte[] body =
                ("{\"text\":\"" + "a".repeat(3 * 1024 * 1024) + "\"}")
                        .getBytes(StandardCharsets.US_ASCII);
        HttpResponse<String> r =
                HTTP_1_1.send(
                        HttpRequest.newBuilder(ApiTestSupport.uri("/v1/speech"))
                                .timeout(Duration.ofSeconds(30))
                                .header("Content-Type", "application/json")
                                .POST(
                                        HttpRequest.BodyPublishers.ofInputStream(
                                                () -> new ByteArrayInputStream(body)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(413, r.statusCode(), r.body());
        assertTrue(
                r.headers()
                        .firstValue("Content-Type")
                        .orElse("")
                        .startsWith(ProblemMapper.PROBLEM_JSON));
        assertTrue(r.body().contains("urn:csm-server:problem:body-too-large"), r.body());
    }

    @Test
    public void aClientThatWaitsFor100ContinueIsServed() throws Exception {
        HttpRequest request =
                HttpRequest.newBuilder(speech(), (name, value) -> true)
                        .expectContinue(true)
                        .build();
        HttpResponse<byte[]> r = HTTP_1_1.send(request, HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertTrue(r.body().length > ApiTestSupport.HEADER, "audio bytes: " + r.body().length);
    }

    private static boolean isRetryableProblem(HttpResponse<String> r) {
        return r.statusCode() == 503
                && r.headers()
                        .firstValue("Content-Type")
                        .orElse("")
                        .startsWith(ProblemMapper.PROBLEM_JSON)
                && r.headers().firstValue("Retry-After").isPresent();
    }

    private static HttpRequest speech() {
        return HttpRequest.newBuilder(ApiTestSupport.uri("/v1/speech"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(
                        HttpRequest.BodyPublishers.ofString(
                                "{\"text\":\"Still here.\",\"max_audio_length_ms\":160,"
                                        + "\"stream\":false}"))
                .build();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        HttpRequest get =
                HttpRequest.newBuilder(ApiTestSupport.uri(path))
                        .timeout(Duration.ofSeconds(8))
                        .GET()
                        .build();
        return HTTP_1_1.send(get, HttpResponse.BodyHandlers.ofString());
    }
}
