package dev.csmserver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.csmserver.golden.GoldenAssert;
import dev.csmserver.model.CsmGolden;
import dev.csmserver.model.CsmModel;
import dev.csmserver.tokenizer.TextTokenizer;
import dev.csmserver.weights.SafetensorsFile;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Greedy generation of every {@code greedy_generation} case, end to end from text, speaker and
 * context codes: the codes must be identical to the reference's (fp32 and bf16 weights).
 */
class CsmGeneratorGoldenTest {

    @Test
    void greedyCodesAreIdentical() {
        JsonNode model = CsmGolden.model();
        for (JsonNode c : CsmGolden.ofKind("greedy_generation")) {
            String name = c.get("name").asText();
            JsonNode in = c.get("inputs");
            JsonNode promptCase = CsmGolden.named(c.get("prompt_case").asText());
            List<Segment> context = new ArrayList<>();
            for (JsonNode s : promptCase.get("inputs").get("context")) {
                context.add(new Segment(s.get("speaker").asInt(), s.get("text").asText(),
                        CsmGolden.contextCodes(promptCase.get("file").asText(), s)));
            }
            GenerationRequest request = new GenerationRequest(in.get("text").asText(), in.get("speaker").asInt(),
                    context, in.get("max_audio_length_ms").asInt(),
                    new SamplingParams((float) in.get("temperature").asDouble(), in.get("topk").asInt(), 0));
            assertEquals(in.get("max_frames").asInt(), request.maxFrames(), name + " frame limit");
            try (NDManager manager = NDManager.newBaseManager();
                    TextTokenizer tok = TextTokenizer.open(CsmGolden.dir().resolve(model.get("tokenizer").asText()))) {
                CsmModel csm = CsmGolden.model(c.get("weights").asText(), manager, DataType.FLOAT32);
                List<int[]> frames = new CsmGenerator(csm, tok).generate(request);
                JsonNode codes = c.get("expected").get("codes");
                SafetensorsFile f = CsmGolden.tensors(c.get("file").asText());
                GoldenAssert.assertExact(name + " codes", f.longs(codes.get("tensor").asText()), flatten(frames));
                assertEquals(codes.get("shape").get(0).asInt(), frames.size(), name + " frame count");
            }
        }
    }

    static long[] flatten(List<int[]> frames) {
        int k = frames.isEmpty() ? 0 : frames.get(0).length;
        long[] out = new long[frames.size() * k];
        for (int f = 0; f < frames.size(); f++) {
            for (int i = 0; i < k; i++) {
                out[f * k + i] = frames.get(f)[i];
            }
        }
        return out;
    }
}
