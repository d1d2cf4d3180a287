package dev.csmserver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which files {@link HubFilePlan} takes from a revision's list for each layout the loader reads,
 * and the errors it gives before anything large is fetched.
 */
class HubFilePlanTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INDEX =
            "{\"weight_map\": {\"a\": \"w-1.safetensors\", \"b\": \"w-2.safetensors\","
                    + " \"c\": \"w-1.safetensors\"}}";

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    private static HubFilePlan.Chosen choose(List<String> repo, String config, String index)
            throws Exception {
        HubFilePlan plan = new HubFilePlan("org/repo@abc", repo);
        JsonNode cfg = json(config);
        String weights = plan.weights(cfg);
        return plan.choose(cfg, weights, index == null ? null : json(index));
    }

    @Test
    void aConfigWithTransformersWeightsTakesThatIndexAndItsShardsOnly() throws Exception {
        List<String> repo =
                List.of(
                        "config.json",
                        "model.safetensors",
                        "ckpt.pt",
                        "t.safetensors.index.json",
                        "w-1.safetensors",
                        "w-2.safetensors",
                        "tokenizer.json",
                        "prompts/a.wav",
                        "README.md",
                        "mimi.safetensors");
        HubFilePlan.Chosen c =
                choose(repo, "{\"transformers_weights\": \"t.safetensors.index.json\"}", INDEX);
        assertEquals(
                List.of(
                        "config.json",
                        "t.safetensors.index.json",
                        "tokenizer.json",
                        "prompts/a.wav",
                        "w-1.safetensors",
                        "w-2.safetensors"),
                c.files());
        assertEquals(List.of("ckpt.pt", "mimi.safetensors", "model.safetensors"), c.skipped());
        assertEquals("transformers layout", c.layout());
    }

    @Test
    void anOriginalLayoutTakesModelSafetensorsAndTheFirstMimiCheckpointTheLoaderAccepts()
            throws Exception {
        List<String> repo =
                List.of(
                        "config.json",
                        "model.safetensors",
                        "ckpt.pt",
                        "tokenizer.json",
                        "tokenizer-e351c8d8-checkpoint125.safetensors",
                        "mimi.safetensors",
                        "mimi_config.json",
                        "prompts/b.wav",
                        "prompts/weights.bin");
        HubFilePlan.Chosen c = choose(repo, "{\"backbone_flavor\": \"llama-1B\"}", null);
        assertEquals(
                List.of(
                        "config.json",
                        "tokenizer.json",
                        "prompts/b.wav",
                        "mimi_config.json",
                        "mimi.safetensors",
                        "model.safetensors"),
                c.files());
        assertTrue(
                c.skipped().contains("ckpt.pt") && c.skipped().contains("prompts/weights.bin"),
                c.skipped().toString());
    }

    @Test
    void aShardedRepoWithMimiInsideTakesTheIndexAndNoMimiFile() throws Exception {
        List<String> repo =
                List.of(
                        "config.json",
                        "model.safetensors.index.json",
                        "w-1.safetensors",
                        "w-2.safetensors",
                        "mimi.safetensors",
                        "pytorch_model.bin");
        HubFilePlan.Chosen c = choose(repo, "{\"codec_config\": {}}", INDEX);
        assertEquals(
                List.of(
                        "config.json",
                        "model.safetensors.index.json",
                        "w-1.safetensors",
                        "w-2.safetensors"),
                c.files());
    }

    @Test
    void anOriginalLayoutWithoutAnyMimiCheckpointIsAnError() {
        List<String> repo = List.of("config.json", "model.safetensors", "tokenizer.json");
        HubException e = assertThrows(HubException.class, () -> choose(repo, "{}", null));
        assertTrue(e.getMessage().contains("Mimi"), e.getMessage());
    }

    @Test
    void aTransformersIndexTheListLacksIsNamedWithWhatTheListHad() {
        List<String> repo = List.of("config.json", "model.safetensors");
        HubException e =
                assertThrows(
                        HubException.class,
                        () ->
                                choose(
                                        repo,
                                        "{\"transformers_weights\": \"t.safetensors.index.json\"}",
                                        INDEX));
        assertTrue(
                e.getMessage().contains("has no t.safetensors.index.json")
                        && e.getMessage().contains("[config.json, model.safetensors]"),
                e.getMessage());
    }

    @Test
    void anIndexThatNamesAPickleIsRefused() {
        List<String> repo = List.of("config.json", "model.safetensors.index.json", "w.bin");
        HubException e =
                assertThrows(
                        HubException.class,
                        () ->
                                choose(
                                        repo,
                                        "{\"codec_config\": {}}",
                                        "{\"weight_map\": {\"a\": \"w.bin\"}}"));
        assertTrue(e.getMessage().contains("w.bin"), e.getMessage());
    }
}
