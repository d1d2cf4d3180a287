package dev.csmserver.api;

import static dev.csmserver.api.ApiTestSupport.activeRequests;
import static dev.csmserver.api.ApiTestSupport.metric;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import java.io.InputStream;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Audio arrives while it is generated, and a client that hangs up frees its batch slot: the first
 * chunk is read while the request is still running, then the connection is dropped and the worker's
 * batch empties and the cancellation is counted.
 */
@QuarkusTest
public class StreamingTest {
    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    @Test
    public void firstChunkArrivesBeforeTheEndAndDisconnectCancels() throws Exception {
        ApiTestSupport.await(30, () -> activeRequests() == 0);
        double cancelledBefore = metric("csm_cancellations_total");
        // 20 s of audio (the test profile's maximum): far longer than this test runs.
        HttpResponse<InputStream> r =
                ApiTestSupport.client()
                        .send(
                                ApiTestSupport.post(
                                        "/v1/speech",
                                        "{\"text\":\"A long answer.\",\"max_audio_length_ms\":20000,\"seed\":1}"),
                                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        InputStream body = r.body();
        byte[] first = body.readNBytes(ApiTestSupport.HEADER + 1920 * 2);
        assertEquals(
                ApiTestSupport.HEADER + 1920 * 2, first.length, "header and one frame of audio");
        assertEquals(1, activeRequests(), "the request is still generating");
        body.close();
        ApiTestSupport.await(20, () -> activeRequests() == 0);
        ApiTestSupport.await(10, () -> metric("csm_cancellations_total") >= cancelledBefore + 1);
        assertTrue(metric("csm_requests_total") > 0);
        ApiTestSupport.speech("{\"text\":\"Still here.\",\"max_audio_length_ms\":160}")
                .then()
                .statusCode(200);
    }
}
