package dev.csmserver.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.csmserver.nn.LlamaConfig;
import dev.csmserver.nn.RopeScaling;

/**
 * CSM architecture: the backbone and depth-decoder stacks, text vocabulary, audio vocabulary {@code
 * V} per codebook and the number of codebooks {@code K} (a frame row is K audio columns plus one
 * text column). Built by {@link #csm1b()}, {@link #tiny}, or {@link #fromJson} from an original
 * ({@code backbone_flavor}, optional explicit {@code flavors}) or transformers ({@code CsmConfig}
 * field names) {@code config.json}.
 */
public record CsmConfig(
        LlamaConfig backbone,
        LlamaConfig decoder,
        int textVocabSize,
        int audioVocabSize,
        int numCodebooks) {
    /** One frame is 80 ms of audio (Mimi at 12.5 Hz): the one frame duration of the code. */
    public static final int FRAME_MS = 80;

    public CsmConfig {
        if (numCodebooks < 2 || audioVocabSize < 2 || textVocabSize < 1) {
            throw new IllegalArgumentException(
                    "invalid CSM config: K=" + numCodebooks + " V=" + audioVocabSize);
        }
    }

    /** Sesame CSM-1B (spec 3.1): llama-1B backbone, llama-100M decoder, 32 codebooks of 2051. */
    public static CsmConfig csm1b() {
        RopeScaling rope = RopeScaling.llama3(500_000);
        return new CsmConfig(
                new LlamaConfig(16, 2048, 32, 8, 64, 8192, 1e-5, rope, 2048),
                new LlamaConfig(4, 1024, 8, 2, 128, 8192, 1e-5, rope, 2048),
                128_256,
                2051,
                32);
    }

    /**
     * A small model of the same structure for tests and the demo (dims 64 / 48 like the fixtures).
     */
    public static CsmConfig tiny(int numCodebooks, int audioVocabSize, int textVocabSize) {
        RopeScaling rope = RopeScaling.llama3(500_000);
        return new CsmConfig(
                new LlamaConfig(2, 64, 4, 2, 16, 128, 1e-5, rope, 2048),
                new LlamaConfig(2, 48, 4, 2, 12, 96, 1e-5, rope, 2048),
                textVocabSize,
                audioVocabSize,
                numCodebooks);
    }

    /** Width of one prompt row: K audio columns + the text column. */
    public int frameWidth() {
        return numCodebooks + 1;
    }

    /** Backbone positions available to prompt + generated frames (2048 for CSM-1B). */
    public int maxContext() {
        return backbone.maxSeqLen();
    }

    /** From a {@code config.json} of either layout; an empty object means CSM-1B. */
    public static CsmConfig fromJson(JsonNode json) {
        if (json == null || json.isEmpty()) {
            return csm1b();
        }
        if (json.has("backbone_flavor")) {
            return fromOriginal(json);
        }
        if (json.has("hidden_size") && json.has("depth_decoder_config")) {
            return fromTransformers(json);
        }
        throw new IllegalArgumentException(
                "config.json is neither an original CSM config (backbone_flavor) "
                        + "nor a transformers CsmConfig (hidden_size, depth_decoder_config)");
    }

    private static CsmConfig fromOriginal(JsonNode json) {
        int k = json.path("audio_num_codebooks").asInt(32);
        return new CsmConfig(
                flavor(json, json.get("backbone_flavor").asText()),
                flavor(json, json.path("decoder_flavor").asText("llama-100M")),
                json.path("text_vocab_size").asInt(128_256),
                json.path("audio_vocab_size").asInt(2051),
                k);
    }

    private static LlamaConfig flavor(JsonNode json, String name) {
        JsonNode f = json.path("flavors").path(name);
        if (f.isMissingNode()) {
            if (name.equals("llama-1B")) {
                return csm1b().backbone();
            }
            if (name.equals("llama-100M")) {
                return csm1b().decoder();
            }
            throw new IllegalArgumentException(
                    "unknown CSM flavor '" + name + "' and no 'flavors' entry for it");
        }
        int dim = req(f, "embed_dim");
        int heads = req(f, "num_heads");
        RopeScaling rope =
                new RopeScaling(
                        f.path("rope_base").asDouble(500_000),
                        f.path("rope_scale_factor").asDouble(32),
                        f.path("rope_low_freq_factor").asDouble(1),
                        f.path("rope_high_freq_factor").asDouble(4),
                        f.path("rope_old_context_len").asDouble(8192));
        return new LlamaConfig(
                req(f, "num_layers"),
                dim,
                heads,
                req(f, "num_kv_heads"),
                f.path("head_dim").asInt(dim / heads),
                req(f, "intermediate_dim"),
                f.path("norm_eps").asDouble(1e-5),
                rope,
                f.path("max_seq_len").asInt(2048));
    }

    private static CsmConfig fromTransformers(JsonNode json) {
        JsonNode dec = json.get("depth_decoder_config");
        int k = json.path("num_codebooks").asInt(32);
        int maxPos = json.path("max_position_embeddings").asInt(2048);
        LlamaConfig backbone = hfStack(json, maxPos);
        // The decoder only uses positions 0..K-1; the original flavours give it the backbone's
        // table length.
        LlamaConfig decoder = hfStack(dec, maxPos);
        return new CsmConfig(
                backbone, decoder, req(json, "text_vocab_size"), req(json, "vocab_size"), k);
    }

    private static LlamaConfig hfStack(JsonNode n, int maxPos) {
        int dim = req(n, "hidden_size");
        int heads = req(n, "num_attention_heads");
        double theta = n.path("rope_theta").asDouble(500_000);
        JsonNode rs = n.has("rope_scaling") ? n.get("rope_scaling") : n.path("rope_parameters");
        theta = rs.path("rope_theta").asDouble(theta);
        RopeScaling rope =
                rs.has("factor")
                        ? RopeScaling.fromTransformers(
                                theta,
                                rs.get("factor").asDouble(),
                                rs.path("low_freq_factor").asDouble(),
                                rs.path("high_freq_factor").asDouble(),
                                rs.path("original_max_position_embeddings").asDouble())
                        : RopeScaling.llama3(theta);
        return new LlamaConfig(
                req(n, "num_hidden_layers"),
                dim,
                heads,
                n.path("num_key_value_heads").asInt(heads),
                n.path("head_dim").asInt(dim / heads),
                req(n, "intermediate_size"),
                n.path("rms_norm_eps").asDouble(1e-5),
                rope,
                maxPos);
    }

    private static int req(JsonNode n, String field) {
        if (!n.has(field)) {
            throw new IllegalArgumentException("config.json lacks '" + field + "'");
        }
        return n.get(field).asInt();
    }
}
