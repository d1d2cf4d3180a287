package dev.csmserver.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.csmserver.audio.Pcm;
import dev.csmserver.audio.SincResampler;
import dev.csmserver.audio.WavReader;
import dev.csmserver.codec.MimiConfig;
import dev.csmserver.golden.Fixtures;
import dev.csmserver.golden.GoldenAssert;
import dev.csmserver.model.CsmGolden;
import dev.csmserver.nn.ComputePath;
import dev.csmserver.weights.CsmCheckpoint;
import dev.csmserver.weights.CsmLayout;
import dev.csmserver.weights.HostTensor;
import dev.csmserver.weights.MimiCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code csm/hub/} of the golden set is laid out exactly like the published {@code sesame/csm-1b}
 * (both checkpoint formats side by side, one config naming {@code transformers_weights}, Mimi only
 * in the transformers shards, voice prompts). Loaded as a local folder it must give exactly what
 * the same weights give from {@code ../hf/} and from {@code ../model.safetensors} + {@code
 * ../../mimi/}.
 */
class HubLayoutGoldenTest {
    private static final JsonNode MODEL = CsmGolden.model();
    private static final JsonNode MIMI = Fixtures.json(Fixtures.mimi().resolve("cases.json"));
    private static final double MIMI_TOLERANCE =
            MIMI.get("tolerances").get("float").get("value").asDouble();

    static Path hub() {
        return Fixtures.require(Fixtures.csm().resolve("hub"));
    }

    @Test
    void theHubFolderLoadsTheWeightsItsConfigNamesNotTheOriginalFileBesideIt() {
        String named =
                Fixtures.json(hub().resolve("config.json")).get("transformers_weights").asText();
        CsmCheckpoint hub = CsmCheckpoint.load(hub());
        assertEquals(hub().resolve(named), hub.source());
        assertEquals(CsmLayout.TRANSFORMERS, hub.layout());
        CsmCheckpoint original = CsmGolden.checkpoint(MODEL.get("weights_fp32").asText());
        assertEquals(original.weights().names(), hub.weights().names());
        for (String name : original.weights().names()) {
            HostTensor a = original.weights().host(name);
            HostTensor b = hub.weights().host(name);
            assertArrayEquals(a.shape(), b.shape(), name);
            assertArrayEquals(
                    a.data(),
                    b.data(),
                    name + " differs between model.safetensors and the hub export");
        }
    }

    @Test
    void theCodecInTheHubShardsIsTheGoldenMimi() {
        MimiConfig config = MimiConfig.fromJson(hub().resolve("config.json"));
        CsmCheckpoint hub = CsmCheckpoint.load(hub());
        MimiCheckpoint fromHub = MimiCheckpoint.open(hub.source(), config.numHeads());
        MimiCheckpoint golden =
                MimiCheckpoint.open(
                        Fixtures.mimi().resolve(MIMI.get("model").get("weights").asText()),
                        config.numHeads());
        assertEquals(golden.weights().names(), fromHub.weights().names());
        for (String name : golden.weights().names()) {
            GoldenAssert.assertClose(
                    "Mimi " + name,
                    golden.weights().host(name).data(),
                    fromHub.weights().host(name).data(),
                    MIMI_TOLERANCE);
        }
    }

    @ParameterizedTest
    @EnumSource(ComputePath.class)
    void greedyCodesFromTheHubFolderAreTheGoldenOnes(ComputePath path) {
        int checked = 0;
        for (JsonNode c : CsmGolden.ofKind("greedy_generation")) {
            if (c.get("weights").asText().equals(MODEL.get("weights_fp32").asText())) {
                CsmGeneratorGoldenTest.assertGreedyCase(c, "hub", path);
                checked++;
            }
        }
        assertTrue(checked > 0, "the set has greedy cases on its float32 weights");
    }

    @Test
    void theHubFolderServesTheSameAudioAsTheOriginalFilesAndTheHfFolder(@TempDir Path tmp)
            throws IOException {
        Path original = Files.createDirectories(tmp.resolve("original"));
        link(original, "config.json", Fixtures.csm().resolve(MODEL.get("config").asText()));
        link(
                original,
                "model.safetensors",
                Fixtures.csm().resolve(MODEL.get("weights_fp32").asText()));
        link(original, "tokenizer.json", Fixtures.csm().resolve(MODEL.get("tokenizer").asText()));
        link(
                original,
                "mimi.safetensors",
                Fixtures.mimi().resolve(MIMI.get("model").get("weights").asText()));
        link(
                original,
                "mimi_config.json",
                Fixtures.mimi().resolve(MIMI.get("model").get("config").asText()));
        Path hf = Files.createDirectories(tmp.resolve("hf"));
        Path hfSource = Fixtures.csm().resolve(MODEL.get("hf_weights").asText()).getParent();
        try (Stream<Path> s = Files.list(hfSource)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                link(hf, p.getFileName().toString(), p);
            }
        }
        link(hf, "tokenizer.json", Fixtures.csm().resolve(MODEL.get("tokenizer").asText()));

        Generated fromHub = generate(hub());
        Generated fromHf = generate(hf);
        Generated fromOriginal = generate(original);
        assertFalse(fromHub.codes.isEmpty(), "the hub folder generated frames");
        assertEquals(codes(fromHf), codes(fromHub), "codes: hub folder vs hf/");
        assertEquals(
                codes(fromOriginal),
                codes(fromHub),
                "codes: hub folder vs model.safetensors + mimi/");
        GoldenAssert.assertClose("audio: hub folder vs hf/", fromHf.samples, fromHub.samples, 0);
        GoldenAssert.assertClose(
                "audio: hub folder vs model.safetensors + mimi/",
                fromOriginal.samples,
                fromHub.samples,
                MIMI_TOLERANCE);
    }

    @Test
    void theHubFolderOffersItsTwoPublishedVoicesEncodedOnce() {
        try (CsmPipeline p = CsmPipeline.load(options(hub()))) {
            List<BuiltInVoice> voices = p.voices();
            assertEquals(
                    List.of("conversational_a", "conversational_b"),
                    voices.stream().map(BuiltInVoice::id).toList());
            for (BuiltInVoice v : voices) {
                PublishedVoices.Voice published =
                        PublishedVoices.ALL.stream()
                                .filter(x -> x.id().equals(v.id()))
                                .findFirst()
                                .orElseThrow();
                assertEquals(published.speaker(), v.segment().speaker(), v.id());
                assertEquals(published.text(), v.segment().text(), v.id());
                Pcm wav = WavReader.read(hub().resolve(published.file()));
                // what encoding the file per request would give (the service resamples before it
                // encodes)
                int[][] expected = p.encode(SincResampler.resample(wav, p.info().sampleRateHz()));
                assertEquals(expected.length, v.segment().codes().length, v.id() + " codebooks");
                for (int k = 0; k < expected.length; k++) {
                    assertArrayEquals(
                            expected[k], v.segment().codes()[k], v.id() + " codebook " + k);
                }
                assertEquals(
                        wav.durationSeconds(),
                        v.durationSeconds(),
                        0.08 + 1e-9,
                        v.id() + " duration");
            }
        }
    }

    @Test
    void aFolderWhoseConfigNamesMissingWeightsSaysWhatItFound(@TempDir Path tmp)
            throws IOException {
        link(tmp, "config.json", hub().resolve("config.json"));
        link(tmp, "tokenizer.json", hub().resolve("tokenizer.json"));
        link(tmp, "model.safetensors", hub().resolve("model.safetensors"));
        Exception e = assertThrows(RuntimeException.class, () -> CsmPipeline.load(options(tmp)));
        assertTrue(e.getMessage().contains("transformers_weights"), e.getMessage());
        assertTrue(
                e.getMessage().contains("model.safetensors"),
                "lists what it found: " + e.getMessage());
    }

    /**
     * Codes and audio of one sampled generation (temperature and top-k as the reference defaults).
     */
    private record Generated(List<int[]> codes, float[] samples) {}

    private static Generated generate(Path dir) {
        GenerationRequest request =
                new GenerationRequest(
                        "Hello from the hub.", 0, List.of(), 800, SamplingParams.seeded(1234));
        List<float[]> chunks = new ArrayList<>();
        List<int[]> frames = new ArrayList<>();
        try (CsmPipeline p = CsmPipeline.load(options(dir))) {
            p.generate(
                    request,
                    new ChunkSink() {
                        @Override
                        public void accept(AudioChunk chunk) {
                            chunks.add(chunk.samples());
                        }

                        @Override
                        public void finish(FinishReason reason, int[][] codes) {
                            frames.addAll(List.of(codes));
                        }
                    });
        }
        int n = chunks.stream().mapToInt(c -> c.length).sum();
        float[] all = new float[n];
        int at = 0;
        for (float[] c : chunks) {
            System.arraycopy(c, 0, all, at, c.length);
            at += c.length;
        }
        return new Generated(frames, all);
    }

    private static List<List<Integer>> codes(Generated g) {
        return g.codes.stream().map(f -> java.util.Arrays.stream(f).boxed().toList()).toList();
    }

    static PipelineOptions options(Path dir) {
        return PipelineOptions.of(ModelSource.local(dir))
                .withDevice(ComputeDevice.CPU)
                .withDtype(WeightDtype.FLOAT32);
    }

    private static void link(Path dir, String name, Path target) throws IOException {
        Files.createSymbolicLink(dir.resolve(name), target.toAbsolutePath());
    }
}
