package dev.csmserver.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.csmserver.model.CsmGolden;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code greedy_generation} cases of the golden set as requests, and their frames as one code
 * array.
 */
public final class GreedyCases {
    private GreedyCases() {}

    /**
     * Case {@code c}'s request: text, speaker, the context of its prompt case, length and greedy
     * sampling.
     */
    public static GenerationRequest request(JsonNode c) {
        JsonNode in = c.get("inputs");
        JsonNode promptCase = CsmGolden.named(c.get("prompt_case").asText());
        List<Segment> context = new ArrayList<>();
        for (JsonNode s : promptCase.get("inputs").get("context")) {
            context.add(
                    new Segment(
                            s.get("speaker").asInt(),
                            s.get("text").asText(),
                            CsmGolden.contextCodes(promptCase.get("file").asText(), s)));
        }
        return new GenerationRequest(
                in.get("text").asText(),
                in.get("speaker").asInt(),
                context,
                in.get("max_audio_length_ms").asInt(),
                SamplingParams.seeded(0)
                        .withTemperature((float) in.get("temperature").asDouble())
                        .withTopK(in.get("topk").asInt()));
    }

    /** Frames {@code [F][K]} as one array, frame by frame (the layout of the expected codes). */
    public static long[] flatten(List<int[]> frames) {
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
