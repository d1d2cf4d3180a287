package dev.csmserver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HubStandInResource} as Quarkus drives it (init, start, stop) without a Quarkus app: the
 * overrides it returns, what its static accessors see, the throttle that makes a download last a
 * few seconds, and the clean-up.
 */
class HubStandInResourceTest {
    private final HubStandInResource resource = new HubStandInResource();

    @AfterEach
    void stop() {
        resource.stop();
    }

    private Map<String, String> start(Map<String, String> initArgs) {
        resource.init(initArgs);
        return resource.start();
    }

    @Test
    void startReturnsOverridesThatPointTheServiceAtTheStandInAndAFreshCache() throws Exception {
        Map<String, String> config = start(Map.of());
        assertEquals(
                Map.of(
                        "csm.model.hf-id",
                        "sesame/csm-1b",
                        "csm.model.hf-endpoint",
                        HubStandInResource.endpoint(),
                        "csm.model.hf-token",
                        HubStandIn.TOKEN,
                        "csm.model.cache-dir",
                        HubStandInResource.cacheDir().toString(),
                        "csm.model.revision",
                        "main"),
                config);
        assertTrue(
                config.get("csm.model.hf-endpoint").startsWith("http://127.0.0.1:"),
                config.toString());
        try (Stream<Path> s = Files.list(HubStandInResource.cacheDir())) {
            assertEquals(0, s.count(), "a fresh, empty cache");
        }
        assertEquals(
                HubStandInResource.cacheDir()
                        .resolve("models--sesame--csm-1b/snapshots")
                        .resolve(HubStandInResource.commit()),
                HubStandInResource.snapshotDir());
    }

    @Test
    void theModelApiAnswers200WithTheTokenAnd401Without() throws Exception {
        Map<String, String> config = start(Map.of());
        URI api =
                URI.create(
                        config.get("csm.model.hf-endpoint")
                                + "/api/models/sesame/csm-1b/revision/main");
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> withToken =
                http.send(
                        HttpRequest.newBuilder(api)
                                .header(
                                        "Authorization",
                                        "Bearer " + config.get("csm.model.hf-token"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, withToken.statusCode());
        assertTrue(withToken.body().contains(HubStandInResource.commit()), withToken.body());
        HttpResponse<String> without =
                http.send(
                        HttpRequest.newBuilder(api).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, without.statusCode());
        assertTrue(HubStandInResource.requestedFiles().isEmpty(), "the model API is not a file");
    }

    @Test
    void aDownloadWithTheOverridesTakesAFewSecondsAndShowsManyPhases() {
        Map<String, String> config = start(Map.of());
        List<String> phases = new ArrayList<>();
        long begin = System.nanoTime();
        Path dir =
                new ModelSourceDownloader(
                                ModelSource.hub(
                                        config.get("csm.model.hf-id"),
                                        config.get("csm.model.revision"),
                                        Path.of(config.get("csm.model.cache-dir")),
                                        config.get("csm.model.hf-endpoint"),
                                        Optional.of(config.get("csm.model.hf-token"))),
                                phases::add)
                        .download();
        Duration took = Duration.ofNanos(System.nanoTime() - begin);

        assertEquals(HubStandInResource.snapshotDir(), dir);
        assertTrue(
                took.compareTo(Duration.ofMillis(2500)) > 0
                        && took.compareTo(Duration.ofSeconds(8)) < 0,
                "about " + HubStandInResource.DOWNLOAD_TIME + ", took " + took);
        assertTrue(phases.size() >= 50, "a poll every 100 ms sees the percent move: " + phases);
        assertEquals("downloading 100%", phases.get(phases.size() - 1));
        assertTrue(HubStandInResource.requestedFiles().contains("config.json"));
        assertFalse(HubStandInResource.requestedFiles().contains("ckpt.pt"));
        assertFalse(HubStandInResource.requestedFiles().contains("model.safetensors"));
    }

    @Test
    void theThrottleArgFalseServesAtFullSpeed() {
        start(Map.of(HubStandInResource.THROTTLE_ARG, "false"));
        assertEquals(0, HubStandInResource.throttleBytesPerSecond());
    }

    @Test
    void stopClosesTheStandInDeletesTheCacheAndEndsTheAccessors() throws IOException {
        start(Map.of());
        Path cache = HubStandInResource.cacheDir();
        Files.writeString(cache.resolve("left-behind"), "x");
        String endpoint = HubStandInResource.endpoint();
        resource.stop();
        assertFalse(Files.exists(cache));
        assertThrows(IllegalStateException.class, HubStandInResource::requestedFiles);
        assertThrows(
                IOException.class,
                () ->
                        HttpClient.newHttpClient()
                                .send(
                                        HttpRequest.newBuilder(URI.create(endpoint)).build(),
                                        HttpResponse.BodyHandlers.discarding()));
    }
}
