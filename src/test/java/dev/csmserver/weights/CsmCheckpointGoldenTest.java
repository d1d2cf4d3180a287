package dev.csmserver.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.csmserver.model.CsmConfig;
import dev.csmserver.model.CsmGolden;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both CSM layouts of the golden set load to one canonical key set with identical tensors. */
class CsmCheckpointGoldenTest {
    private static final JsonNode MODEL = CsmGolden.model();

    @Test
    void originalLayoutHasEveryTensor() {
        CsmCheckpoint ckpt = CsmGolden.checkpoint(MODEL.get("weights_fp32").asText());
        assertEquals(CsmLayout.ORIGINAL, ckpt.layout());
        assertEquals(MODEL.get("num_tensors").asInt(), ckpt.weights().names().size());
        assertEquals(MODEL.get("num_parameters").asLong(), ckpt.weights().parameterCount());
    }

    @Test
    void transformersLayoutCanonicalisesToTheOriginalTensors() {
        CsmCheckpoint original = CsmGolden.checkpoint(MODEL.get("weights_fp32").asText());
        Path index = CsmGolden.dir().resolve(MODEL.get("hf_weights").asText());
        for (Path source : new Path[] {index, index.getParent()}) {
            CsmCheckpoint hf = CsmCheckpoint.load(source);
            assertEquals(CsmLayout.TRANSFORMERS, hf.layout());
            assertEquals(original.weights().names(), hf.weights().names());
            for (String name : original.weights().names()) {
                HostTensor a = original.weights().host(name);
                HostTensor b = hf.weights().host(name);
                assertArrayEquals(a.shape(), b.shape(), name);
                assertArrayEquals(a.data(), b.data(), name + " differs after canonicalisation");
            }
        }
    }

    @Test
    void bf16CheckpointWidensToTheRoundedWeights() {
        CsmCheckpoint fp32 = CsmGolden.checkpoint(MODEL.get("weights_fp32").asText());
        CsmCheckpoint bf16 = CsmGolden.checkpoint(MODEL.get("weights_bf16").asText());
        assertEquals(fp32.weights().names(), bf16.weights().names());
        for (String name : fp32.weights().names()) {
            float[] a = fp32.weights().host(name).data();
            float[] b = bf16.weights().host(name).data();
            for (int i = 0; i < a.length; i++) {
                // bf16 keeps 8 significant bits: round-to-nearest is within 2^-8 relative.
                assertTrue(
                        Math.abs(a[i] - b[i]) <= Math.abs(a[i]) / 256 + 1e-30,
                        name + "[" + i + "]");
            }
        }
    }

    @Test
    void bothConfigFormatsGiveTheSameArchitecture() {
        CsmConfig original =
                CsmConfig.fromJson(
                        CsmGolden.checkpoint(MODEL.get("weights_fp32").asText()).config());
        Path hfConfig = CsmGolden.dir().resolve(MODEL.get("hf_config").asText());
        CsmConfig hf = CsmConfig.fromJson(CsmCheckpoint.load(hfConfig.getParent()).config());
        assertEquals(original, hf);
        assertEquals(MODEL.get("audio_num_codebooks").asInt(), original.numCodebooks());
        assertEquals(MODEL.get("audio_vocab_size").asInt(), original.audioVocabSize());
        assertEquals(MODEL.get("text_vocab_size").asInt(), original.textVocabSize());
        assertEquals(MODEL.get("max_seq_len").asInt(), original.maxContext());
        assertEquals(MODEL.get("frame_width").asInt(), original.frameWidth());
    }

    @Test
    void aFolderWithoutWeightsIsANamedError(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), "{}");
        WeightsException e = assertThrows(WeightsException.class, () -> CsmCheckpoint.load(dir));
        assertTrue(e.getMessage().contains("cannot tell which weights"), e.getMessage());
        assertThrows(
                WeightsException.class,
                () -> CsmCheckpoint.load(dir.resolve("missing.safetensors")));
    }
}
