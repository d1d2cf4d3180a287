package dev.csmserver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.csmserver.golden.GoldenAssert;
import dev.csmserver.model.CsmGolden;
import dev.csmserver.model.CsmModel;
import dev.csmserver.nn.ComputePath;
import dev.csmserver.tokenizer.TextTokenizer;
import dev.csmserver.weights.SafetensorsFile;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Greedy generation of every {@code greedy_generation} case, end to end from text, speaker and
 * context codes: the codes must be identical to the reference's (fp32 and bf16 weights), on the
 * CPU's default compute path and on the CUDA-shaped one.
 */
class CsmGeneratorGoldenTest {

    @ParameterizedTest
    @EnumSource(ComputePath.class)
    void greedyCodesAreIdentical(ComputePath path) {
        for (JsonNode c : CsmGolden.ofKind("greedy_generation")) {
            assertGreedyCase(c, c.get("weights").asText(), path);
        }
    }

    /**
     * Runs the greedy case {@code c} with the weights at {@code weights} (a file or folder relative
     * to the set's csm/ folder) and checks its codes against the reference's.
     */
    static void assertGreedyCase(JsonNode c, String weights, ComputePath path) {
        JsonNode model = CsmGolden.model();
        String name = c.get("name").asText() + " (" + weights + ", " + path + ")";
        JsonNode in = c.get("inputs");
        GenerationRequest request = GreedyCases.request(c);
        assertEquals(in.get("max_frames").asInt(), request.maxFrames(), name + " frame limit");
        try (NDManager manager = NDManager.newBaseManager();
                TextTokenizer tok =
                        TextTokenizer.open(
                                CsmGolden.dir().resolve(model.get("tokenizer").asText()))) {
            CsmModel csm = CsmGolden.model(weights, manager, DataType.FLOAT32, path);
            List<int[]> frames = new CsmGenerator(csm, tok).generate(request);
            JsonNode codes = c.get("expected").get("codes");
            SafetensorsFile f = CsmGolden.tensors(c.get("file").asText());
            GoldenAssert.assertExact(
                    name + " codes",
                    f.longs(codes.get("tensor").asText()),
                    GreedyCases.flatten(frames));
            assertEquals(codes.get("shape").get(0).asInt(), frames.size(), name + " frame count");
        }
    }
}
