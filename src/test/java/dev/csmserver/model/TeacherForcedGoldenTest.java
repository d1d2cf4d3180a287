package dev.csmserver.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.csmserver.golden.GoldenAssert;
import dev.csmserver.nn.ComputePath;
import dev.csmserver.weights.SafetensorsFile;
import java.util.Collections;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Teacher-forced logits and hidden states of every {@code teacher_forced_logits} case: fp32, bf16
 * weights with fp32 compute, the transformers layout, and the reference's native bf16 run against
 * our float16-weight path (within that case's informational tolerance); on both compute paths.
 */
class TeacherForcedGoldenTest {
    private static final Pattern CASE_REF = Pattern.compile("teacher_forced/[A-Za-z0-9_]+");

    @ParameterizedTest
    @EnumSource(ComputePath.class)
    void everyTeacherForcedCaseMatches(ComputePath path) {
        for (JsonNode c : CsmGolden.ofKind("teacher_forced_logits")) {
            check(c, path);
        }
    }

    private static void check(JsonNode c, ComputePath path) {
        String name = c.get("name").asText() + " " + path;
        JsonNode expected = resolve(c, "expected");
        JsonNode inputs = resolve(c, "inputs");
        double tol = c.get("tolerance").asDouble();
        // The reference's own 16-bit run is compared with our 16-bit weight path.
        DataType type = name.endsWith("native") ? DataType.FLOAT16 : DataType.FLOAT32;
        SafetensorsFile tf = CsmGolden.tensors(c.get("file").asText());
        JsonNode forcedSpec = inputs.get("forced_frames");
        long[] forced = tf.longs(forcedSpec.get("tensor").asText());
        int frames = forcedSpec.get("shape").get(0).asInt();
        PromptRows prompt = CsmGolden.prompt(c.get("prompt_case").asText());
        try (NDManager manager = NDManager.newBaseManager()) {
            CsmModel model = CsmGolden.model(c.get("weights").asText(), manager, type, path);
            checkPrompt(name, model, prompt, tf, expected, tol);
            ForcedCodes rec = new ForcedCodes(forced, frames, model.config());
            try (GenerationState state = model.newState(prompt.rows() + frames, Sampler.greedy())) {
                rec.run(model, state, prompt, frames);
            }
            close(name, "c0_logits", tf, expected, rec.c0Logits(), tol);
            close(name, "decoder_logits", tf, expected, rec.decoderLogits(), tol);
            close(name, "backbone_last_hidden", tf, expected, rec.backboneHidden, tol);
            close(name, "decoder_last_hidden", tf, expected, rec.decoderHidden, tol);
        }
    }

    private static void checkPrompt(
            String name,
            CsmModel model,
            PromptRows prompt,
            SafetensorsFile tf,
            JsonNode expected,
            double tol) {
        try (GenerationState probe = model.newState(prompt.rows(), Sampler.greedy());
                NDScope scope = new NDScope()) {
            NDArray e = model.embedder().embedRows(prompt.tokens(), prompt.mask()); // [S, D]
            close(name, "prompt_embeds", tf, expected, e.toFloatArray(), tol);
            NDArray h =
                    model.backbone()
                            .forward(
                                    e.expandDims(0),
                                    Collections.singletonList(CsmModel.caches(probe)),
                                    new int[] {0});
            close(name, "prompt_hidden", tf, expected, h.toFloatArray(), tol);
        }
    }

    private static void close(
            String name,
            String what,
            SafetensorsFile tf,
            JsonNode expected,
            float[] actual,
            double tol) {
        GoldenAssert.assertClose(
                name + " " + what,
                tf.floats(expected.get(what).get("tensor").asText()),
                actual,
                tol);
    }

    /** A field, or the same field of the case it names ("same as teacher_forced/fp32"). */
    private static JsonNode resolve(JsonNode c, String field) {
        JsonNode v = c.get(field);
        if (!v.isTextual()) {
            return v;
        }
        Matcher m = CASE_REF.matcher(v.asText());
        if (!m.find()) {
            throw new AssertionError(
                    c.get("name").asText() + "." + field + " names no case: " + v.asText());
        }
        return resolve(CsmGolden.named(m.group()), field);
    }
}
