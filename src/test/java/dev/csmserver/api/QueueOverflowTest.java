package dev.csmserver.api;

import static dev.csmserver.api.ApiTestSupport.activeRequests;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * More long requests than batch slots plus queue capacity (4 + 4 in the test profile): the excess
 * gets 429 problem+json with a Retry-After, and once the clients hang up the service is healthy and
 * answers again.
 */
@QuarkusTest
public class QueueOverflowTest {
    @BeforeEach
    void modelReady() {
        ModelReady.await();
    }

    @Test
    public void overflowIs429WithRetryAfterAndTheServiceRecovers() throws Exception {
        ApiTestSupport.await(30, () -> activeRequests() == 0);
        HttpClient client = ApiTestSupport.client();
        List<CompletableFuture<HttpResponse<InputStream>>> calls = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            calls.add(
                    client.sendAsync(
                            ApiTestSupport.post(
                                    "/v1/speech",
                                    "{\"text\":\"Long.\",\"max_audio_length_ms\":20000,\"seed\":"
                                            + i
                                            + "}"),
                            HttpResponse.BodyHandlers.ofInputStream()));
        }
        // Every request is decided (headers of a 200 come when the job is queued) before any body
        // is
        // closed: a closed body cancels its job and frees a slot a request still in flight could
        // take.
        List<HttpResponse<InputStream>> responses = new ArrayList<>();
        for (CompletableFuture<HttpResponse<InputStream>> f : calls) {
            responses.add(f.get(60, TimeUnit.SECONDS));
        }
        int ok = 0;
        int rejected = 0;
        for (HttpResponse<InputStream> r : responses) {
            if (r.statusCode() == 429) {
                rejected++;
                String body = new String(r.body().readAllBytes());
                assertTrue(body.contains("urn:csm-server:problem:queue-full"), body);
                assertTrue(
                        r.headers()
                                .firstValue("Content-Type")
                                .orElse("")
                                .startsWith("application/problem+json"));
                long retry = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
                assertTrue(retry >= 1, "Retry-After " + retry);
            } else {
                assertTrue(r.statusCode() == 200, "status " + r.statusCode());
                ok++;
            }
            r.body().close();
        }
        assertTrue(
                rejected >= 14 - 8,
                "at most 4 running + 4 queued; rejected " + rejected + ", ok " + ok);
        // the hung-up jobs leave the batch and the queue within a frame each
        ApiTestSupport.await(
                60, () -> activeRequests() == 0 && ApiTestSupport.queuedRequests() == 0);
        given().when().get("/q/health").then().statusCode(200).body("status", is("UP"));
        ApiTestSupport.speech("{\"text\":\"Recovered.\",\"max_audio_length_ms\":160}")
                .then()
                .statusCode(200);
    }
}
