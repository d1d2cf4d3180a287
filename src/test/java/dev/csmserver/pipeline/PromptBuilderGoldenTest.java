package dev.csmserver.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.csmserver.golden.GoldenAssert;
import dev.csmserver.model.CsmGolden;
import dev.csmserver.model.PromptRows;
import dev.csmserver.tokenizer.TextTokenizer;
import dev.csmserver.weights.SafetensorsFile;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every prompt-assembly case: rows, masks and positions exactly as the reference builds them. */
class PromptBuilderGoldenTest {

    @Test
    void promptsMatchTheReference() {
        JsonNode model = CsmGolden.model();
        int k = model.get("audio_num_codebooks").asInt();
        try (TextTokenizer tok =
                TextTokenizer.open(CsmGolden.dir().resolve(model.get("tokenizer").asText()))) {
            PromptBuilder builder = new PromptBuilder(tok, k);
            for (JsonNode c : CsmGolden.ofKind("prompt_assembly")) {
                String name = c.get("name").asText();
                String file = c.get("file").asText();
                JsonNode in = c.get("inputs");
                List<Segment> context = new ArrayList<>();
                JsonNode ids = c.get("expected").get("segment_token_ids");
                int seg = 0;
                for (JsonNode s : in.get("context")) {
                    GoldenAssert.assertExact(
                            name + " segment " + seg,
                            longs(ids.get(seg++)),
                            tok.encodeSegment(s.get("speaker").asInt(), s.get("text").asText()));
                    context.add(
                            new Segment(
                                    s.get("speaker").asInt(),
                                    s.get("text").asText(),
                                    CsmGolden.contextCodes(file, s)));
                }
                GoldenAssert.assertExact(
                        name + " target segment",
                        longs(ids.get(seg)),
                        tok.encodeSegment(in.get("speaker").asInt(), in.get("text").asText()));
                PromptRows rows =
                        builder.build(context, in.get("speaker").asInt(), in.get("text").asText());
                compare(name, CsmGolden.tensors(file), c.get("expected"), rows);
            }
        }
    }

    private static void compare(String name, SafetensorsFile f, JsonNode exp, PromptRows rows) {
        long[] tokens = new long[rows.rows() * rows.tokens()[0].length];
        long[] mask = new long[tokens.length];
        long[] positions = new long[rows.rows()];
        int at = 0;
        for (int r = 0; r < rows.rows(); r++) {
            positions[r] =
                    r; // the reference feeds positions 0..S-1; the model starts every request at 0
            for (int col = 0; col < rows.tokens()[r].length; col++) {
                tokens[at] = rows.tokens()[r][col];
                mask[at++] = rows.mask()[r][col] ? 1 : 0;
            }
        }
        GoldenAssert.assertExact(
                name + " tokens", f.longs(exp.get("tokens").get("tensor").asText()), tokens);
        GoldenAssert.assertExact(
                name + " mask", f.longs(exp.get("mask").get("tensor").asText()), mask);
        GoldenAssert.assertExact(
                name + " positions",
                f.longs(exp.get("positions").get("tensor").asText()),
                positions);
    }

    private static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }
}
