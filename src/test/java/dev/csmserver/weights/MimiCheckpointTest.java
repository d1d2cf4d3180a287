package dev.csmserver.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.csmserver.golden.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Mimi fixture's weights in all three published forms (moshi file, HF MimiModel file, HF Mimi
 * inside the sharded transformers CSM checkpoint) canonicalise to the same tensors, bit for bit.
 */
class MimiCheckpointTest {
    private static JsonNode model() {
        return Fixtures.json(Fixtures.mimi().resolve("cases.json")).get("model");
    }

    private static Path csmIndex() {
        Path dir = Fixtures.require(Fixtures.csm().resolve("hf"));
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".index.json"))
                    .findFirst()
                    .orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void allLayoutsGiveIdenticalCanonicalTensors() {
        JsonNode model = model();
        int heads = model.get("num_heads").asInt();
        MimiCheckpoint moshi =
                MimiCheckpoint.open(Fixtures.mimi().resolve(model.get("weights").asText()), heads);
        MimiCheckpoint hf =
                MimiCheckpoint.open(
                        Fixtures.mimi().resolve(model.get("hf_weights").asText()), heads);
        MimiCheckpoint csm = MimiCheckpoint.open(csmIndex(), heads);
        assertEquals(MimiLayout.MOSHI, moshi.layout());
        assertEquals(MimiLayout.TRANSFORMERS, hf.layout());
        assertEquals(MimiLayout.TRANSFORMERS, csm.layout());
        assertEquals("", hf.prefix());
        assertEquals("codec_model.", csm.prefix());
        Map<String, float[]> reference = new HashMap<>();
        for (String name : moshi.weights().names()) {
            reference.put(name, moshi.weights().host(name).data());
        }
        for (MimiCheckpoint other : new MimiCheckpoint[] {hf, csm}) {
            assertEquals(moshi.weights().names(), other.weights().names());
            for (String name : other.weights().names()) {
                assertArrayEquals(
                        moshi.weights().host(name).shape(),
                        other.weights().host(name).shape(),
                        name);
                assertArrayEquals(reference.get(name), other.weights().host(name).data(), name);
            }
        }
    }

    @Test
    void rawTensorCountsMatchTheFixture() {
        JsonNode model = model();
        assertEquals(
                model.get("moshi_tensor_count").asInt(),
                SafetensorsFile.open(Fixtures.mimi().resolve(model.get("weights").asText()))
                        .tensors()
                        .size());
        assertEquals(
                model.get("hf_tensor_count").asInt(),
                SafetensorsFile.open(Fixtures.mimi().resolve(model.get("hf_weights").asText()))
                        .tensors()
                        .size());
    }

    @Test
    void codebooksAreClampedEmaAverages() {
        JsonNode model = model();
        Path file = Fixtures.mimi().resolve(model.get("weights").asText());
        SafetensorsFile raw = SafetensorsFile.open(file);
        float[] sum = raw.floats("quantizer.rvq_rest.vq.layers.0._codebook.embedding_sum");
        float[] usage = raw.floats("quantizer.rvq_rest.vq.layers.0._codebook.cluster_usage");
        float[] e =
                MimiCheckpoint.open(file, model.get("num_heads").asInt())
                        .weights()
                        .host("quantizer.rest.codebook.0")
                        .data();
        int dim = sum.length / usage.length;
        boolean clampUsed = false;
        for (int b = 0; b < usage.length; b++) {
            clampUsed |= usage[b] < MimiCheckpoint.CODEBOOK_EPSILON;
            for (int d = 0; d < dim; d++) {
                assertEquals(sum[b * dim + d] / Math.max(usage[b], 1e-5f), e[b * dim + d], 0f);
            }
        }
        assertTrue(clampUsed, "the fixture has an entry below the clamp; the test should cover it");
    }

    @Test
    void rejectsNonMimiAndUnknownKeys(@TempDir Path dir) throws IOException {
        Path csmOriginal = Fixtures.require(Fixtures.csm().resolve("model.safetensors"));
        WeightsException e =
                assertThrows(WeightsException.class, () -> MimiCheckpoint.open(csmOriginal, 4));
        assertTrue(e.getMessage().contains("not a Mimi checkpoint"), e.getMessage());
        Map<String, HostTensor> tensors = new HashMap<>();
        tensors.put("quantizer.rvq_first.input_proj.weight", HostTensor.of(new float[1], 1, 1, 1));
        tensors.put("quantizer.rvq_first.mystery", HostTensor.of(new float[1], 1));
        Path file = dir.resolve("odd.safetensors");
        SafetensorsWriter.write(file, tensors);
        WeightsException u =
                assertThrows(WeightsException.class, () -> MimiCheckpoint.open(file, 4));
        assertTrue(u.getMessage().contains("quantizer.rvq_first.mystery"), u.getMessage());
    }
}
