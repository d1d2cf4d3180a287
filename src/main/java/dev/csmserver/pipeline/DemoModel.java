package dev.csmserver.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.csmserver.codec.MimiConfig;
import dev.csmserver.codec.RandomMimiWeights;
import dev.csmserver.model.CsmConfig;
import dev.csmserver.model.RandomCsmWeights;
import dev.csmserver.weights.Weights;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.Map;

/**
 * The built-in DEMO model: a tiny CSM and a tiny Mimi with deterministic random weights (fixed
 * seed) and a small {@code tokenizer.json} shipped in resources, so the whole pipeline runs on a
 * fresh machine with no download. It has the real structure and frame geometry (32 codebooks, 24
 * kHz, 1920 samples per frame) but says nothing: its audio is noise. Everything that shows it says
 * so (label {@value #LABEL}).
 */
public final class DemoModel {
    /** Shown in logs, readiness and the {@code X-Model} header. */
    public static final String LABEL = "demo-tiny-random";

    public static final long SEED = 20250313L;
    static final int CODEBOOKS = 32;

    /** Mimi attention window in 25 Hz steps (the real model's). */
    static final int MIMI_CONTEXT = 250;

    /**
     * Scale applied to the demo codec's output: random decoder weights produce audio far beyond
     * [-1, 1], which would clip (and clipping destroys the watermark).
     */
    public static final float OUTPUT_GAIN = 0.02f;

    private static final String TOKENIZER_RESOURCE = "/demo/tokenizer.json";

    private DemoModel() {}

    public static MimiConfig mimiConfig() {
        return MimiConfig.tiny(CODEBOOKS, MIMI_CONTEXT);
    }

    /**
     * CSM audio vocabulary = Mimi codebook + 3 (as 2051 = 2048 + 3); text vocabulary covers the
     * tokenizer.
     */
    public static CsmConfig csmConfig(int textVocabSize) {
        return CsmConfig.tiny(CODEBOOKS, mimiConfig().codebookSize() + 3, textVocabSize);
    }

    public static Weights csmWeights(CsmConfig config) {
        return RandomCsmWeights.weights(config, SEED);
    }

    public static Weights mimiWeights(MimiConfig config) {
        return RandomMimiWeights.create(config, SEED + 1);
    }

    /** The demo tokenizer, copied out of the jar to a temp file (the tokenizer reads a path). */
    public static Path tokenizerFile() {
        try (InputStream in = DemoModel.class.getResourceAsStream(TOKENIZER_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + TOKENIZER_RESOURCE);
            }
            Path tmp = Files.createTempFile("csm-demo-tokenizer", ".json");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return tmp;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One more than the largest id in {@code tokenizer.json} (vocabulary and added tokens). */
    public static int vocabSize(Path tokenizerJson) {
        try {
            JsonNode root = new ObjectMapper().readTree(tokenizerJson.toFile());
            int max = -1;
            for (Iterator<Map.Entry<String, JsonNode>> it =
                            root.path("model").path("vocab").fields();
                    it.hasNext(); ) {
                max = Math.max(max, it.next().getValue().asInt());
            }
            for (JsonNode t : root.path("added_tokens")) {
                max = Math.max(max, t.path("id").asInt());
            }
            return max + 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
