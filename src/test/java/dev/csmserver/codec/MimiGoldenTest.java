package dev.csmserver.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.JsonNode;
import dev.csmserver.codec.MimiFixture.Source;
import dev.csmserver.golden.Fixtures;
import dev.csmserver.golden.GoldenAssert;
import dev.csmserver.weights.SafetensorsFile;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of the Mimi golden set's cases.json, for the weights in each published layout (moshi,
 * HF MimiModel, and HF Mimi inside the transformers CSM checkpoint): codes exact, waveforms and
 * debug latents within the tolerance the case states.
 */
class MimiGoldenTest {
    private static NDManager manager;
    private static final Map<Source, Mimi> MODELS = new EnumMap<>(Source.class);

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        MODELS.values().forEach(Mimi::close);
        manager.close();
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Source s : Source.values()) {
            for (JsonNode c : MimiFixture.cases().get("cases")) {
                out.add(Arguments.of(s, c.get("name").asText()));
            }
        }
        return out.stream();
    }

    private static Mimi model(Source s) {
        return MODELS.computeIfAbsent(
                s, k -> Mimi.load(MimiFixture.checkpoint(k), MimiFixture.config(k), manager));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesReference(Source source, String caseName) {
        JsonNode c = null;
        for (JsonNode n : MimiFixture.cases().get("cases")) {
            c = n.get("name").asText().equals(caseName) ? n : c;
        }
        SafetensorsFile file =
                SafetensorsFile.open(Fixtures.mimi().resolve(c.get("file").asText()));
        Mimi mimi = model(source);
        String op = c.get("op").asText();
        switch (op) {
            case "encode", "encode_streaming" -> checkEncode(mimi, c, file);
            case "decode" -> checkDecode(mimi, c, file, mimi.decode(codesInput(c, file)));
            case "decode_streaming" -> checkDecode(mimi, c, file, streamDecode(mimi, c, file));
            default -> throw new AssertionError("unknown op '" + op + "' in cases.json");
        }
    }

    private static int[][] codesInput(JsonNode c, SafetensorsFile file) {
        JsonNode in = c.get("inputs").get(0);
        return MimiFixture.codes(file.longs(in.get("tensor").asText()), in.get("shape"));
    }

    /**
     * Offline encode; for encode_streaming the per-chunk inputs are concatenated and encoded at
     * once, which the reference's own stats show gives the per-chunk codes (and is what CSM does).
     */
    private static void checkEncode(Mimi mimi, JsonNode c, SafetensorsFile file) {
        float[] audio = file.floats(c.get("inputs").get(0).get("tensor").asText());
        JsonNode exp = c.get("expected").get(0);
        int[][] codes = mimi.encode(audio);
        assertEquals(exp.get("shape").get(1).asInt(), codes.length, "codebooks");
        GoldenAssert.assertExact(
                c.get("name").asText() + " codes",
                file.longs(exp.get("tensor").asText()),
                MimiFixture.flatten(codes));
        for (JsonNode dbg : c.path("debug")) {
            if (dbg.get("tensor").asText().equals("debug.latent")) {
                try (NDManager m = manager.newSubManager();
                        NDScope scope = new NDScope()) {
                    NDArray latent = mimi.latent(m, audio);
                    GoldenAssert.assertClose(
                            "debug.latent",
                            file.floats("debug.latent"),
                            latent.toFloatArray(),
                            dbg.get("tolerance").asDouble());
                }
            }
        }
    }

    private static float[] streamDecode(Mimi mimi, JsonNode c, SafetensorsFile file) {
        int[][] codes = codesInput(c, file);
        int chunk = c.get("chunk_frames").asInt();
        int frames = codes[0].length;
        float[] out = new float[frames * mimi.config().frameSize()];
        try (MimiStreamDecoder stream = mimi.newStreamDecoder(manager)) {
            int at = 0;
            for (int f = 0; f < frames; f += chunk) {
                float[] pcm = stream.decode(slice(codes, f, Math.min(frames, f + chunk)));
                System.arraycopy(pcm, 0, out, at, pcm.length);
                at += pcm.length;
            }
            assertEquals(out.length, at, "samples streamed");
        }
        return out;
    }

    static int[][] slice(int[][] codes, int from, int to) {
        int[][] out = new int[codes.length][];
        for (int q = 0; q < codes.length; q++) {
            out[q] = java.util.Arrays.copyOfRange(codes[q], from, to);
        }
        return out;
    }

    private static void checkDecode(Mimi mimi, JsonNode c, SafetensorsFile file, float[] audio) {
        JsonNode exp = c.get("expected").get(0);
        GoldenAssert.assertClose(
                c.get("name").asText() + " audio",
                file.floats(exp.get("tensor").asText()),
                audio,
                exp.get("tolerance").asDouble());
    }
}
