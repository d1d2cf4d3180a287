package dev.csmserver.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A CSM checkpoint opened and canonicalised: the layout is detected from the tensor names, every
 * tensor is renamed to the original Sesame key set (spec 6.1), transformers q/k weights are
 * un-permuted back to interleaved RoPE, and duplicated tables (the tied depth-decoder audio
 * embedding) and the embedded Mimi codec ({@code codec_model.*}) are dropped. An untied
 * depth-decoder audio embedding is the one tensor the original layout has no name for: it becomes
 * {@link #DECODER_AUDIO_EMBEDDINGS}. Model code only sees {@link #weights()}; the raw {@code
 * config.json} is handed on for the model's config record.
 */
public record CsmCheckpoint(Path source, CsmLayout layout, Weights weights, JsonNode config) {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Pattern HF_LAYER =
            Pattern.compile("^(backbone_model|depth_decoder\\.model)\\.layers\\.(\\d+)\\.(.+)$");

    /** Layer-local HF names to original names. */
    private static final Map<String, String> HF_LAYER_PARTS =
            Map.of(
                    "self_attn.q_proj.weight", "attn.q_proj.weight",
                    "self_attn.k_proj.weight", "attn.k_proj.weight",
                    "self_attn.v_proj.weight", "attn.v_proj.weight",
                    "self_attn.o_proj.weight", "attn.output_proj.weight",
                    "mlp.gate_proj.weight", "mlp.w1.weight",
                    "mlp.down_proj.weight", "mlp.w2.weight",
                    "mlp.up_proj.weight", "mlp.w3.weight",
                    "input_layernorm.weight", "sa_norm.scale",
                    "post_attention_layernorm.weight", "mlp_norm.scale");

    /** Top-level HF names to original names ({@code convert_csm.py}, both converter versions). */
    private static final Map<String, String> HF_TOP =
            Map.of(
                    "backbone_model.norm.weight", "backbone.norm.scale",
                    "depth_decoder.model.norm.weight", "decoder.norm.scale",
                    "embed_text_tokens.weight", "text_embeddings.weight",
                    "backbone_model.embed_tokens.embed_text_tokens.weight",
                            "text_embeddings.weight",
                    "backbone_model.embed_tokens.embed_audio_tokens.weight",
                            "audio_embeddings.weight",
                    "depth_decoder.model.inputs_embeds_projector.weight", "projection.weight",
                    "lm_head.weight", "codebook0_head.weight",
                    "depth_decoder.codebooks_head.weight", "audio_head");

    /**
     * The depth decoder's own audio table {@code [K·V, backbone D]}: transformers embeds the
     * decoder's input codes with it (codebook i's code at row {@code code + i·V}) while the
     * backbone's frame embedding keeps {@code embed_audio_tokens}.
     */
    private static final String HF_DECODER_EMBEDDINGS = "depth_decoder.model.embed_tokens.weight";

    /**
     * Canonical name of {@link #HF_DECODER_EMBEDDINGS} when {@code config.json} sets {@code
     * tie_codebooks_embeddings: false}. Tied (transformers' default), it is a copy of {@code
     * audio_embeddings.weight} and is dropped, so the original key set stays exact.
     */
    public static final String DECODER_AUDIO_EMBEDDINGS = "decoder_audio_embeddings.weight";

    /**
     * Opens a checkpoint directory (original {@code model.safetensors}, or a transformers index of
     * any name, with {@code config.json}) or a single weights file / index (config read from its
     * folder when present). F32, F16 and BF16 tensors are all read as float32.
     */
    public static CsmCheckpoint load(Path dirOrFile) {
        Path dir =
                Files.isDirectory(dirOrFile) ? dirOrFile : dirOrFile.toAbsolutePath().getParent();
        JsonNode config = readConfig(dir.resolve("config.json"));
        Path weightsFile =
                Files.isDirectory(dirOrFile) ? findWeights(dirOrFile, config) : dirOrFile;
        Checkpoint raw = Checkpoint.open(weightsFile);
        CsmLayout layout = CsmLayout.detect(raw.tensors().keySet());
        Map<String, HostTensor> canonical =
                layout == CsmLayout.ORIGINAL
                        ? new TreeMap<>(raw.tensors())
                        : fromTransformers(raw, config);
        return new CsmCheckpoint(weightsFile, layout, new Weights(canonical), config);
    }

    private static JsonNode readConfig(Path file) {
        if (!Files.isRegularFile(file)) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new WeightsException(file + ": not readable JSON: " + e.getMessage(), e);
        }
    }

    /**
     * The weights a folder holds, by the rule transformers applies: a {@code transformers_weights}
     * key in {@code config.json} names the file or index to load (the published {@code
     * sesame/csm-1b} keeps its original-layout {@code model.safetensors} beside the transformers
     * export and names the export, the only one with the Mimi codec); else {@code
     * model.safetensors}, {@code model.safetensors.index.json}, or the folder's only index or only
     * {@code .safetensors} file. Torch pickles ({@code ckpt.pt}) are never read.
     */
    static Path findWeights(Path dir, JsonNode config) {
        if (config.hasNonNull("transformers_weights")) {
            String named = config.get("transformers_weights").asText();
            Path file = dir.resolve(named);
            if (!file.normalize().startsWith(dir.normalize()) || !Files.isRegularFile(file)) {
                throw new WeightsException(
                        dir
                                + ": config.json names transformers_weights '"
                                + named
                                + "', which is not in the folder (found "
                                + names(dir)
                                + ")");
            }
            return file;
        }
        for (String name : List.of("model.safetensors", "model.safetensors.index.json")) {
            if (Files.isRegularFile(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        List<Path> indexes = list(dir, ".index.json");
        if (indexes.size() == 1) {
            return indexes.get(0);
        }
        List<Path> files = list(dir, ".safetensors");
        if (indexes.isEmpty() && files.size() == 1) {
            return files.get(0);
        }
        throw new WeightsException(
                dir
                        + ": cannot tell which weights to load: expected config.json naming "
                        + "transformers_weights, model.safetensors, one *.safetensors.index.json or one *.safetensors "
                        + "(torch pickles such as ckpt.pt are not read); found "
                        + names(dir));
    }

    private static List<String> names(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString() + (Files.isDirectory(p) ? "/" : ""))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of("(unreadable: " + e.getMessage() + ")");
        }
    }

    private static List<Path> list(Path dir, String suffix) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new WeightsException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, HostTensor> fromTransformers(Checkpoint raw, JsonNode config) {
        int backboneHeadDim = headDim(config, "backbone");
        int decoderHeadDim = headDim(config, "decoder");
        // transformers' CsmConfig defaults to tied tables; only an explicit false unties them.
        boolean tied = config.path("tie_codebooks_embeddings").asBoolean(true);
        Map<String, HostTensor> out = new TreeMap<>();
        for (Map.Entry<String, HostTensor> e : raw.tensors().entrySet()) {
            String name = e.getKey();
            boolean decoderTable = name.equals(HF_DECODER_EMBEDDINGS);
            if (name.startsWith("codec_model.") || (decoderTable && tied)) {
                continue;
            }
            String mapped = decoderTable ? DECODER_AUDIO_EMBEDDINGS : HF_TOP.get(name);
            HostTensor t = e.getValue();
            Matcher m = HF_LAYER.matcher(name);
            if (mapped == null && m.matches() && HF_LAYER_PARTS.containsKey(m.group(3))) {
                boolean backbone = m.group(1).equals("backbone_model");
                String part = HF_LAYER_PARTS.get(m.group(3));
                mapped = (backbone ? "backbone" : "decoder") + ".layers." + m.group(2) + "." + part;
                if (part.startsWith("attn.q_proj") || part.startsWith("attn.k_proj")) {
                    t = QkPermutation.toInterleaved(t, backbone ? backboneHeadDim : decoderHeadDim);
                }
            }
            if (mapped == null) {
                throw new WeightsException(
                        "transformers CSM checkpoint has an unexpected tensor '" + name + "'");
            }
            if (out.put(mapped, t) != null) {
                throw new WeightsException(
                        "transformers CSM checkpoint maps two tensors to '" + mapped + "'");
            }
        }
        return out;
    }

    /**
     * Head dim of one stack, needed to undo the q/k permutation: from the transformers config
     * ({@code head_dim}, {@code depth_decoder_config}) or an original config's flavour.
     */
    static int headDim(JsonNode config, String stack) {
        boolean backbone = stack.equals("backbone");
        JsonNode node = backbone ? config : config.path("depth_decoder_config");
        if (node.has("head_dim")) {
            return node.get("head_dim").asInt();
        }
        if (node.has("hidden_size") && node.has("num_attention_heads")) {
            return node.get("hidden_size").asInt() / node.get("num_attention_heads").asInt();
        }
        String flavor = config.path(backbone ? "backbone_flavor" : "decoder_flavor").asText("");
        JsonNode f = config.path("flavors").path(flavor);
        if (f.has("head_dim")) {
            return f.get("head_dim").asInt();
        }
        if (f.has("embed_dim") && f.has("num_heads")) {
            return f.get("embed_dim").asInt() / f.get("num_heads").asInt();
        }
        // The two published flavours (spec 3.1): llama-1B 2048/32, llama-100M 1024/8.
        if (flavor.equals("llama-1B")) {
            return 64;
        }
        if (flavor.equals("llama-100M")) {
            return 128;
        }
        throw new WeightsException(
                "transformers CSM checkpoint needs a config.json with the "
                        + stack
                        + " head_dim to undo the q/k permutation");
    }
}
