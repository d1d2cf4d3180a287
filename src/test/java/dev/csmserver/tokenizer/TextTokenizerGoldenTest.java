package dev.csmserver.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.csmserver.golden.Fixtures;
import dev.csmserver.golden.GoldenAssert;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token ids of the golden set's strings, BOS/EOS from the file, and no silent truncation. */
class TextTokenizerGoldenTest {
    private static final Path CSM = Fixtures.csm();
    private static final JsonNode CASES = Fixtures.json(CSM.resolve("cases.json"));
    private static final Path FILE = CSM.resolve(CASES.get("model").get("tokenizer").asText());

    @Test
    void idsMatchTheReference() {
        int checked = 0;
        try (TextTokenizer tok = TextTokenizer.open(FILE)) {
            for (JsonNode c : CASES.get("cases")) {
                if (!c.path("kind").asText().equals("tokenizer")) {
                    continue;
                }
                for (JsonNode s : c.get("strings")) {
                    long[] expected = new long[s.get("ids").size()];
                    for (int i = 0; i < expected.length; i++) {
                        expected[i] = s.get("ids").get(i).asLong();
                    }
                    GoldenAssert.assertExact(
                            s.get("text").asText(), expected, tok.encode(s.get("text").asText()));
                    checked++;
                }
            }
        }
        assertTrue(checked > 0, "cases.json holds no tokenizer strings");
    }

    @Test
    void specialIdsComeFromTheFile() {
        try (TextTokenizer tok = TextTokenizer.open(FILE)) {
            assertEquals(CASES.get("model").get("bos_id").asLong(), tok.bosId());
            assertEquals(CASES.get("model").get("eos_id").asLong(), tok.eosId());
            long[] ids = tok.encodeSegment(7, "x");
            assertEquals(tok.bosId(), ids[0]);
            assertEquals(tok.eosId(), ids[ids.length - 1]);
        }
    }

    @Test
    void longTextIsRefusedNotTruncated() {
        String text = "word ".repeat(3000);
        try (TextTokenizer tok = TextTokenizer.open(FILE)) {
            TokenizerException e =
                    assertThrows(TokenizerException.class, () -> tok.encodeSegment(0, text));
            assertTrue(e.getMessage().contains("tokens long"), e.getMessage());
        }
        try (TextTokenizer big = TextTokenizer.open(FILE, 100_000)) {
            // Far beyond the binding's default 512: every token is kept.
            long[] ids = big.encodeSegment(0, text);
            assertTrue(ids.length > 3000, "only " + ids.length + " ids");
            assertEquals(big.eosId(), ids[ids.length - 1]);
        }
    }

    @Test
    void aTemplateWithoutEosGetsTheEndOfTextTokenAppended(@TempDir Path dir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(FILE.toFile());
        ObjectNode post = (ObjectNode) root.get("post_processor");
        ArrayNode single = (ArrayNode) post.get("single");
        single.remove(single.size() - 1); // stock Llama-3: "BOS $A" only
        Path stock = dir.resolve("tokenizer.json");
        json.writeValue(stock.toFile(), root);
        try (TextTokenizer reference = TextTokenizer.open(FILE);
                TextTokenizer tok = TextTokenizer.open(stock)) {
            String text = "Hello there.";
            assertEquals(
                    Arrays.toString(reference.encodeSegment(0, text)),
                    Arrays.toString(tok.encodeSegment(0, text)));
        }
    }

    @Test
    void aMissingFileIsANamedError(@TempDir Path dir) {
        assertThrows(TokenizerException.class, () -> TextTokenizer.open(dir.resolve("nope.json")));
    }
}
