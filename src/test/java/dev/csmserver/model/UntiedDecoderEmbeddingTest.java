package dev.csmserver.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.csmserver.golden.Fixtures;
import dev.csmserver.golden.GoldenAssert;
import dev.csmserver.pipeline.CsmGenerator;
import dev.csmserver.pipeline.GenerationRequest;
import dev.csmserver.pipeline.GreedyCases;
import dev.csmserver.tokenizer.TextTokenizer;
import dev.csmserver.weights.Checkpoint;
import dev.csmserver.weights.CsmCheckpoint;
import dev.csmserver.weights.HostTensor;
import dev.csmserver.weights.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transformers checkpoint with {@code tie_codebooks_embeddings: false}: the depth decoder embeds
 * its input codes with its own {@code depth_decoder.model.embed_tokens} table while the backbone's
 * frame embedding keeps {@code embed_audio_tokens}. Driven by edited copies of the golden set's
 * transformers checkpoint, so every shape comes from the fixtures.
 */
class UntiedDecoderEmbeddingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HF_DECODER_TABLE = "depth_decoder.model.embed_tokens.weight";
    private static final String HF_BACKBONE_TABLE =
            "backbone_model.embed_tokens.embed_audio_tokens.weight";
    private static final JsonNode MODEL = CsmGolden.model();

    @Test
    void anUntiedDecoderTableEqualToTheBackboneTableGivesTheGoldenCodes(@TempDir Path dir)
            throws IOException {
        Path ckpt = hfCopy(dir, false, backboneTable().data());
        assertTrue(CsmCheckpoint.load(ckpt).weights().has(CsmCheckpoint.DECODER_AUDIO_EMBEDDINGS));
        for (JsonNode c : fp32GreedyCases()) {
            String name = c.get("name").asText();
            GoldenAssert.assertExact(
                    name + " codes", goldenCodes(c), GreedyCases.flatten(generate(ckpt, c)));
        }
    }

    @Test
    void aDifferentDecoderTableIsLoadedAndChangesOnlyTheDecoderCodes(@TempDir Path dir)
            throws IOException {
        HostTensor backbone = backboneTable();
        float[] decoderTable = shiftedWithinCodebooks(backbone);
        Path ckpt = hfCopy(dir, false, decoderTable);
        CsmCheckpoint loaded = CsmCheckpoint.load(ckpt);
        assertArrayEquals(
                decoderTable, loaded.weights().host(CsmCheckpoint.DECODER_AUDIO_EMBEDDINGS).data());
        assertArrayEquals(
                backbone.data(),
                loaded.weights().host("audio_embeddings.weight").data(),
                "the backbone keeps its own table");
        for (JsonNode c : fp32GreedyCases()) {
            String name = c.get("name").asText();
            long[] golden = goldenCodes(c);
            int[] first = generate(ckpt, c).get(0);
            // c0 comes from the backbone and its head alone, before the decoder table is read.
            assertEquals(golden[0], first[0], name + " first frame c0");
            boolean decoderCodesDiffer = false;
            for (int i = 1; i < first.length; i++) {
                decoderCodesDiffer |= first[i] != golden[i];
            }
            assertTrue(
                    decoderCodesDiffer,
                    name + ": codebooks 1.. of the first frame ignore the decoder table");
        }
    }

    @Test
    void aTiedOrUnmarkedCheckpointStillDropsTheDecoderTable(@TempDir Path dir) throws IOException {
        var originalNames =
                CsmGolden.checkpoint(MODEL.get("weights_fp32").asText()).weights().names();
        float[] different = shiftedWithinCodebooks(backboneTable());
        for (Boolean tie : new Boolean[] {true, null}) {
            Path ckpt = hfCopy(Files.createDirectory(dir.resolve("tie-" + tie)), tie, different);
            CsmCheckpoint loaded = CsmCheckpoint.load(ckpt);
            assertFalse(loaded.weights().has(CsmCheckpoint.DECODER_AUDIO_EMBEDDINGS), "tie " + tie);
            assertEquals(originalNames, loaded.weights().names(), "tie " + tie);
        }
    }

    /** The fp32 greedy cases: their codes come from the weights the transformers copy holds. */
    private static List<JsonNode> fp32GreedyCases() {
        String fp32 = MODEL.get("weights_fp32").asText();
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode c : CsmGolden.ofKind("greedy_generation")) {
            if (fp32.equals(c.get("weights").asText())) {
                out.add(c);
            }
        }
        assertFalse(out.isEmpty(), "cases.json has no fp32 greedy_generation case");
        return out;
    }

    private static Checkpoint hfCheckpoint() {
        return Checkpoint.open(CsmGolden.dir().resolve(MODEL.get("hf_weights").asText()));
    }

    private static HostTensor backboneTable() {
        return hfCheckpoint().tensors().get(HF_BACKBONE_TABLE);
    }

    /**
     * The backbone audio table {@code [K·V, D]} with each codebook's rows rotated by one (row
     * {@code c + i·V} takes row {@code (c+1) % V + i·V}): a table of the right shape whose codes
     * all embed differently.
     */
    private static float[] shiftedWithinCodebooks(HostTensor table) {
        int vocab = CsmConfig.fromJson(readHfConfig()).audioVocabSize();
        float[] src = table.data();
        int dim = Math.toIntExact(table.shape()[1]);
        int blocks = Math.toIntExact(table.shape()[0] / vocab);
        float[] out = new float[src.length];
        for (int i = 0; i < blocks; i++) {
            for (int c = 0; c < vocab; c++) {
                int from = (i * vocab + (c + 1) % vocab) * dim;
                System.arraycopy(src, from, out, (i * vocab + c) * dim, dim);
            }
        }
        return out;
    }

    /**
     * A copy of the golden transformers checkpoint in {@code dir} as one {@code model.safetensors},
     * holding {@code decoderTable} as the depth decoder's table, with {@code
     * tie_codebooks_embeddings} set to {@code tie} (removed when null). The embedded Mimi codec is
     * left out: the CSM loader drops it and it would only enlarge the copy.
     */
    private static Path hfCopy(Path dir, Boolean tie, float[] decoderTable) throws IOException {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (var e : hfCheckpoint().tensors().entrySet()) {
            if (!e.getKey().startsWith("codec_model.")) {
                tensors.put(e.getKey(), e.getValue());
            }
        }
        tensors.put(
                HF_DECODER_TABLE,
                HostTensor.of(decoderTable, tensors.get(HF_BACKBONE_TABLE).shape()));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors);
        ObjectNode config = (ObjectNode) readHfConfig();
        if (tie == null) {
            config.remove("tie_codebooks_embeddings");
        } else {
            config.put("tie_codebooks_embeddings", tie);
        }
        JSON.writeValue(dir.resolve("config.json").toFile(), config);
        return dir;
    }

    private static JsonNode readHfConfig() {
        return Fixtures.json(CsmGolden.dir().resolve(MODEL.get("hf_config").asText()));
    }

    private static long[] goldenCodes(JsonNode c) {
        return CsmGolden.tensors(c.get("file").asText())
                .longs(c.get("expected").get("codes").get("tensor").asText());
    }

    /**
     * Greedy generation of case {@code c} end to end from text, as {@code CsmGeneratorGoldenTest}
     * runs it.
     */
    private static List<int[]> generate(Path checkpointDir, JsonNode c) {
        GenerationRequest request = GreedyCases.request(c);
        CsmCheckpoint ckpt = CsmCheckpoint.load(checkpointDir);
        try (NDManager manager = NDManager.newBaseManager();
                TextTokenizer tok =
                        TextTokenizer.open(
                                CsmGolden.dir().resolve(MODEL.get("tokenizer").asText()))) {
            CsmModel csm =
                    CsmModel.load(
                            CsmConfig.fromJson(ckpt.config()),
                            ckpt.weights(),
                            manager,
                            DataType.FLOAT32);
            return new CsmGenerator(csm, tok).generate(request);
        }
    }
}
