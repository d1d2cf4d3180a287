package dev.csmserver.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to the packaged app (as Kubernetes sends it) while it streams: readiness goes down at
 * once, new work gets a 503 problem, a request that fits in {@code csm.queue.shutdown-grace}
 * finishes whole, one that does not is cut as failed when the grace ends, and the process exits.
 */
class ShutdownIT {
    private static final Pattern LISTENING = Pattern.compile("Listening on: http://[^:]+:(\\d+)");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir Path dir;

    @Test
    void sigtermTurnsReadinessDownRefusesNewWorkAndLetsRunningRequestsFinishWithinTheGrace()
            throws Exception {
        Process app =
                new ProcessBuilder(
                                List.of(
                                        Path.of(System.getProperty("java.home"), "bin", "java")
                                                .toString(),
                                        "-Dquarkus.http.port=0",
                                        "-Dcsm.queue.shutdown-grace=4s",
                                        "-Dcsm.contexts.dir=" + dir,
                                        "-jar",
                                        Path.of("target/quarkus-app/quarkus-run.jar")
                                                .toAbsolutePath()
                                                .toString()))
                        .redirectErrorStream(true)
                        .start();
        List<String> log = new CopyOnWriteArrayList<>();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> readLog(app.getInputStream(), log, port), "app-log");
        reader.setDaemon(true);
        reader.start();
        try {
            String base = "http://127.0.0.1:" + port.get(2, TimeUnit.MINUTES);
            awaitReady(base, log);

            // 90 s of audio cannot fit the grace; 0.4 s can.
            HttpResponse<InputStream> longOne =
                    HTTP.send(
                            post(
                                    base,
                                    "/v1/speech",
                                    "{\"text\":\"A long answer.\",\"max_audio_length_ms\":90000,\"seed\":1}"),
                            HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, longOne.statusCode());
            InputStream longBody = longOne.body();
            assertEquals(
                    44 + 3840, longBody.readNBytes(44 + 3840).length, "the long stream is running");
            CompletableFuture<HttpResponse<byte[]>> shortOne =
                    HTTP.sendAsync(
                            post(
                                    base,
                                    "/v1/speech",
                                    "{\"text\":\"Short.\",\"max_audio_length_ms\":400,\"seed\":2,\"stream\":false}"),
                            HttpResponse.BodyHandlers.ofByteArray());

            awaitActive(base, 2); // both are generating: neither is merely queued

            app.destroy(); // SIGTERM
            long sent = System.nanoTime();
            awaitStatus(base + "/q/health/ready", 503, Duration.ofSeconds(3), log);
            HttpResponse<String> refused =
                    HTTP.send(
                            post(base, "/v1/speech", "{\"text\":\"Hi.\"}"),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(
                    refused.body().contains("urn:csm-server:problem:service-unavailable"),
                    refused.body());
            assertTrue(
                    refused.headers()
                            .firstValue("Content-Type")
                            .orElse("")
                            .startsWith(ProblemMapper.PROBLEM_JSON));

            HttpResponse<byte[]> done = shortOne.get(30, TimeUnit.SECONDS);
            assertEquals(200, done.statusCode());
            assertEquals(44 + 5 * 3840, done.body().length, "the short request finished whole");
            assertThrows(
                    IOException.class, longBody::readAllBytes, "the long stream is cut as failed");
            assertTrue(app.waitFor(40, TimeUnit.SECONDS), "the process exits: " + tail(log));
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - sent);
            assertTrue(seconds < 30, "exited " + seconds + " s after SIGTERM");
        } finally {
            app.destroyForcibly();
        }
    }

    private static HttpRequest post(String base, String path, String json) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
    }

    private static void awaitActive(String base, int n) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            String live =
                    HTTP.send(
                                    HttpRequest.newBuilder(URI.create(base + "/q/health/live"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body();
            if (live.replace(" ", "").contains("\"active\":" + n)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(n + " requests never ran together");
    }

    private static void awaitReady(String base, List<String> log) throws InterruptedException {
        awaitStatus(base + "/q/health/ready", 200, Duration.ofMinutes(3), log);
    }

    private static void awaitStatus(String url, int status, Duration limit, List<String> log)
            throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        int last = -1;
        while (System.nanoTime() < end) {
            try {
                last =
                        HTTP.send(
                                        HttpRequest.newBuilder(URI.create(url))
                                                .timeout(Duration.ofSeconds(5))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode();
                if (last == status) {
                    return;
                }
            } catch (IOException e) {
                last = -1;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(
                url
                        + " answered "
                        + last
                        + ", not "
                        + status
                        + " within "
                        + limit
                        + ": "
                        + tail(log));
    }

    private static void readLog(InputStream in, List<String> log, CompletableFuture<Integer> port) {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                log.add(line);
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException e) {
            port.completeExceptionally(e);
        }
        port.completeExceptionally(
                new IllegalStateException("the app ended before it listened: " + tail(log)));
    }

    private static String tail(List<String> log) {
        return String.join("\n", log.subList(Math.max(0, log.size() - 30), log.size()));
    }
}
