package dev.csmserver.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Chooses the files of a hub revision that the loader reads, and no more, from the revision's file
 * list and its {@code config.json}. The published {@code sesame/csm-1b} holds two checkpoint
 * formats of 6 GB each plus a 6 GB {@code ckpt.pt}; the loader follows the transformers rule (a
 * config with {@code transformers_weights} is loaded from that index and its shards, which also
 * carry Mimi), so fetching the repo whole would triple the download. Pickles ({@code .pt}, {@code
 * .bin}, ...) are never chosen: the loader reads safetensors only.
 */
final class HubFilePlan {
    static final String CONFIG = "config.json";
    private static final String TRANSFORMERS_WEIGHTS = "transformers_weights";
    private static final List<String> SMALL =
            List.of(
                    "tokenizer.json",
                    "tokenizer_config.json",
                    "special_tokens_map.json",
                    "generation_config.json",
                    "preprocessor_config.json");

    /**
     * The Mimi checkpoints the loader accepts beside an original-layout model, in the order it
     * tries them.
     */
    private static final List<String> MIMI_ORDER =
            List.of(
                    "mimi.safetensors",
                    "tokenizer-e351c8d8-checkpoint125.safetensors",
                    "mimi/model.safetensors");

    private static final Pattern PICKLE = Pattern.compile(".*\\.(pt|pth|bin|pkl|pickle|ckpt)$");

    /**
     * The files to fetch (small ones first, weights last), the layout in words, and the weights
     * left out.
     */
    record Chosen(String layout, List<String> files, List<String> skipped) {}

    private final String label;
    private final Set<String> repoFiles;

    /**
     * {@code label} names the repo and commit in errors; {@code repoFiles} is the revision's file
     * list.
     */
    HubFilePlan(String label, List<String> repoFiles) {
        this.label = label;
        this.repoFiles = new TreeSet<>(repoFiles);
    }

    /** {@code config.json}, which every layout needs. */
    String config() throws HubException {
        return require(CONFIG, "every CSM layout");
    }

    /**
     * The weights entry the loader opens: an index ({@code *.safetensors.index.json}) or one
     * safetensors file.
     */
    String weights(JsonNode config) throws HubException {
        JsonNode named = config.get(TRANSFORMERS_WEIGHTS);
        if (named != null && named.isTextual()) {
            return require(named.asText(), "config.json's " + TRANSFORMERS_WEIGHTS);
        }
        if (repoFiles.contains("model.safetensors.index.json")) {
            return "model.safetensors.index.json";
        }
        Optional<String> index =
                repoFiles.stream()
                        .filter(f -> !f.contains("/") && f.endsWith(".safetensors.index.json"))
                        .findFirst();
        return index.isPresent()
                ? index.get()
                : require("model.safetensors", "a repo with no weights index");
    }

    /**
     * Everything to fetch, given the config, {@link #weights} and (when that is an index) its
     * parsed JSON.
     */
    Chosen choose(JsonNode config, String weights, JsonNode index) throws HubException {
        boolean transformers = config.hasNonNull(TRANSFORMERS_WEIGHTS);
        boolean sharded = weights.endsWith(".json");
        Set<String> files = new LinkedHashSet<>();
        files.add(CONFIG);
        if (sharded) {
            files.add(weights);
        }
        SMALL.stream().filter(repoFiles::contains).forEach(files::add);
        repoFiles.stream()
                .filter(f -> f.startsWith("prompts/") && !PICKLE.matcher(f).matches())
                .forEach(files::add);
        if (!transformers && !config.has("codec_config")) {
            files.addAll(mimi(weights));
        }
        files.addAll(sharded ? shards(weights, index) : List.of(weights));
        for (String f : files) {
            if (PICKLE.matcher(f).matches()) {
                throw new HubException(
                        label
                                + ": refusing "
                                + f
                                + ", a pickle; the loader reads safetensors only");
            }
        }
        List<String> skipped =
                repoFiles.stream()
                        .filter(
                                f ->
                                        (f.endsWith(".safetensors") || PICKLE.matcher(f).matches())
                                                && !files.contains(f))
                        .toList();
        String layout =
                transformers
                        ? "transformers layout"
                        : sharded ? "sharded layout" : "single-file layout";
        return new Chosen(layout, List.copyOf(files), skipped);
    }

    /**
     * The shards an index's {@code weight_map} names, relative to the index's folder, each listed
     * in the repo.
     */
    private List<String> shards(String indexName, JsonNode index) throws HubException {
        JsonNode map = index == null ? null : index.get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) {
            throw new HubException(label + ": " + indexName + " has no weight_map");
        }
        String folder =
                indexName.contains("/")
                        ? indexName.substring(0, indexName.lastIndexOf('/') + 1)
                        : "";
        Set<String> shards = new TreeSet<>();
        for (JsonNode shard : (Iterable<JsonNode>) map::elements) {
            String name = folder + shard.asText();
            if (!name.endsWith(".safetensors")) {
                throw new HubException(
                        label + ": " + indexName + " names " + name + ", not a safetensors file");
            }
            shards.add(name);
        }
        List<String> out = new ArrayList<>();
        for (String s : shards) {
            out.add(require(s, indexName));
        }
        return out;
    }

    /**
     * The first Mimi checkpoint (with its config, if listed) the loader would take beside CSM-only
     * weights.
     */
    private List<String> mimi(String weights) throws HubException {
        for (String m : MIMI_ORDER) {
            if (repoFiles.contains(m)) {
                String cfg = m.startsWith("mimi/") ? "mimi/config.json" : "mimi_config.json";
                return repoFiles.contains(cfg) ? List.of(cfg, m) : List.of(m);
            }
        }
        throw new HubException(
                label
                        + ": "
                        + weights
                        + " has no Mimi codec and the repo has no Mimi checkpoint"
                        + " beside it (one of "
                        + MIMI_ORDER
                        + "); the repo has: "
                        + repoFiles);
    }

    private String require(String file, String neededBy) throws HubException {
        if (!repoFiles.contains(file)) {
            throw new HubException(
                    label
                            + " has no "
                            + file
                            + ", which "
                            + neededBy
                            + " needs; the repo has: "
                            + repoFiles);
        }
        return file;
    }
}
