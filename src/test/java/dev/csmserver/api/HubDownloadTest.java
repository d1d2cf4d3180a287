package dev.csmserver.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.audio.Pcm;
import dev.csmserver.audio.WavWriter;
import dev.csmserver.golden.Fixtures;
import dev.csmserver.pipeline.AudioChunk;
import dev.csmserver.pipeline.ChunkSink;
import dev.csmserver.pipeline.ComputeDevice;
import dev.csmserver.pipeline.CsmPipeline;
import dev.csmserver.pipeline.GenerationRequest;
import dev.csmserver.pipeline.HubStandInResource;
import dev.csmserver.pipeline.ModelSource;
import dev.csmserver.pipeline.PipelineOptions;
import dev.csmserver.pipeline.SamplingParams;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The service started with {@code CSM_MODEL_HF_ID=sesame/csm-1b} against a local stand-in of the
 * hub (gated, LFS redirects, hashes; throttled so the download takes a few seconds): readiness
 * shows the download while the HTTP server already answers, only what the transformers layout needs
 * is fetched, and the model it serves gives the same audio as the folder it came from.
 */
@QuarkusTest
@WithTestResource(HubStandInResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public class HubDownloadTest {
    static final String SPEECH =
            "{\"text\":\"Hello from the hub.\",\"speaker\":0,\"max_audio_length_ms\":800,"
                    + "\"seed\":1234,\"response_format\":\"pcm\",\"stream\":false}";

    @Test
    @Order(1)
    public void readinessShowsTheDownloadUntilTheModelIsReady() throws InterruptedException {
        Set<String> phases = new LinkedHashSet<>();
        long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        boolean ready = false;
        while (!ready && System.nanoTime() < end) {
            Response r = given().when().get("/q/health/ready");
            if (r.statusCode() == 200) {
                ready = true;
            } else {
                String phase =
                        r.jsonPath().getString("checks.find { it.name == 'model' }.data.state");
                if (phases.add(phase) && phase.startsWith("downloading")) {
                    // a multi-gigabyte download must not get the container restarted
                    given().when().get("/q/health/live").then().statusCode(200);
                }
                Thread.sleep(50);
            }
        }
        assertTrue(ready, "ready in time; phases seen: " + phases);
        assertTrue(
                phases.stream().anyMatch(p -> p.matches("downloading \\d{1,3}%")),
                "phases seen: " + phases);
    }

    @Test
    @Order(2)
    public void onlyWhatTheTransformersLayoutNeedsWasFetched() {
        ModelReady.await();
        String index =
                Fixtures.json(Fixtures.csm().resolve("hub/config.json"))
                        .get("transformers_weights")
                        .asText();
        Set<String> fetched = HubStandInResource.requestedFiles();
        assertTrue(
                fetched.containsAll(
                        List.of(
                                "config.json",
                                "tokenizer.json",
                                index,
                                "prompts/conversational_a.wav",
                                "prompts/conversational_b.wav")),
                "fetched: " + fetched);
        assertFalse(fetched.contains("ckpt.pt"), "fetched: " + fetched);
        assertFalse(fetched.contains("model.safetensors"), "fetched: " + fetched);
        assertTrue(HubStandInResource.snapshotDir().endsWith(HubStandInResource.commit()));
    }

    @Test
    @Order(3)
    public void theDownloadedModelServesTheSameAudioAsTheFolderItCameFrom() {
        ModelReady.await();
        byte[] served =
                given().contentType("application/json")
                        .body(SPEECH)
                        .when()
                        .post("/v1/speech")
                        .then()
                        .statusCode(200)
                        .header(SpeechService.X_MODEL, equalTo("sesame/csm-1b@main"))
                        .extract()
                        .asByteArray();
        assertArrayEquals(
                fromTheFolder(), served, "the same request and seed on the hub folder itself");
    }

    @Test
    @Order(4)
    public void thePublishedVoicesCameWithTheDownload() {
        ModelReady.await();
        given().when()
                .get("/v1/contexts")
                .then()
                .statusCode(200)
                .body("contexts.id", hasItems("conversational_a", "conversational_b"))
                .body("contexts.find { it.id == 'conversational_b' }.built_in", is(true));
    }

    /**
     * The PCM the same request gives on {@code csm/hub/} loaded directly, in the service's dtype.
     */
    static byte[] fromTheFolder() {
        PipelineOptions options =
                PipelineOptions.of(ModelSource.local(Fixtures.csm().resolve("hub")))
                        .withDevice(ComputeDevice.CPU);
        GenerationRequest request =
                new GenerationRequest(
                        "Hello from the hub.", 0, List.of(), 800, SamplingParams.seeded(1234));
        ByteArrayOutputStream pcm = new ByteArrayOutputStream();
        try (CsmPipeline p = CsmPipeline.load(options)) {
            p.generate(
                    request,
                    new ChunkSink() {
                        @Override
                        public void accept(AudioChunk chunk) {
                            byte[] wav =
                                    WavWriter.write(new Pcm(chunk.samples(), chunk.sampleRateHz()));
                            pcm.writeBytes(
                                    Arrays.copyOfRange(wav, WavWriter.HEADER_BYTES, wav.length));
                        }
                    });
        }
        return pcm.toByteArray();
    }
}
