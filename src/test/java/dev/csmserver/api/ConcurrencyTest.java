package dev.csmserver.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Continuous batching must not mix requests up: several clients at once (different seeds, lengths
 * and speakers, so they join and leave the batch at different frames) each get exactly the bytes
 * they get when running alone.
 */
@QuarkusTest
public class ConcurrencyTest {
    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    private static String body(int i) {
        return "{\"text\":\"Client number "
                + i
                + " speaking.\",\"speaker\":"
                + (i % 2)
                + ",\"max_audio_length_ms\":"
                + (400 + 240 * i)
                + ",\"seed\":"
                + (100 + i)
                + "}";
    }

    @Test
    public void concurrentClientsGetTheirSoloOutputs() throws Exception {
        int n = 4;
        HttpClient client = ApiTestSupport.client();
        List<byte[]> solo = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            HttpResponse<byte[]> r =
                    client.send(
                            ApiTestSupport.post("/v1/speech", body(i)),
                            HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode());
            solo.add(r.body());
        }
        List<CompletableFuture<HttpResponse<byte[]>>> together = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            together.add(
                    client.sendAsync(
                            ApiTestSupport.post("/v1/speech", body(i)),
                            HttpResponse.BodyHandlers.ofByteArray()));
        }
        for (int i = 0; i < n; i++) {
            HttpResponse<byte[]> r = together.get(i).get();
            assertEquals(200, r.statusCode());
            assertArrayEquals(solo.get(i), r.body(), "client " + i + " differs from its solo run");
        }
    }
}
