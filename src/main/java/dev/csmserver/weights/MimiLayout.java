package dev.csmserver.weights;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two published key sets of a Mimi checkpoint and their renaming to the canonical names the
 * codec reads. {@link #MOSHI}: kyutai's {@code tokenizer-e351c8d8-checkpoint125.safetensors} (fused
 * {@code in_proj_weight}, interleaved RoPE); {@link #TRANSFORMERS}: Hugging Face {@code MimiModel}
 * (split q/k/v with q/k permuted to rotate-half), also inside the transformers CSM checkpoint under
 * {@code codec_model.} (csm-spec §6.3, §6.4).
 *
 * <p>Canonical names: {@code encoder.{i}.weight|bias}, {@code encoder.{i}.block.{j}.weight|bias}
 * (same for {@code decoder}; i is the SEANet module index), {@code downsample.weight}, {@code
 * upsample.weight}, {@code {encoder,decoder}_transformer.layers.{l}.}{@code in_proj.weight} (fused
 * q;k;v, interleaved RoPE), {@code out_proj.weight}, {@code norm1|norm2.weight|bias}, {@code
 * linear1|linear2.weight}, {@code layer_scale_1|layer_scale_2}, and {@code
 * quantizer.{first,rest}.input_proj.weight|output_proj.weight}, {@code
 * quantizer.{first,rest}.codebook.{q}} (the effective codebook, derived at load).
 */
public enum MimiLayout {
    MOSHI(
            "quantizer.rvq_first.input_proj.weight",
            List.of(
                    rule(
                            "(encoder|decoder)\\.model\\.(\\d+)\\.(?:conv\\.conv|convtr\\.convtr)\\.(weight|bias)",
                            "$1.$2.$3"),
                    rule(
                            "(encoder|decoder)\\.model\\.(\\d+)\\.block\\.(\\d+)\\.conv\\.conv\\.(weight|bias)",
                            "$1.$2.block.$3.$4"),
                    rule(
                            "(encoder|decoder)_transformer\\.transformer\\.layers\\.(\\d+)\\.self_attn\\.in_proj_weight",
                            "$1_transformer.layers.$2.in_proj.weight"),
                    rule(
                            "(encoder|decoder)_transformer\\.transformer\\.layers\\.(\\d+)\\.self_attn\\.out_proj\\.weight",
                            "$1_transformer.layers.$2.out_proj.weight"),
                    rule(
                            "(encoder|decoder)_transformer\\.transformer\\.layers\\.(\\d+)\\.(norm[12]\\.(?:weight|bias)|linear[12]\\.weight)",
                            "$1_transformer.layers.$2.$3"),
                    rule(
                            "(encoder|decoder)_transformer\\.transformer\\.layers\\.(\\d+)\\.(layer_scale_[12])\\.scale",
                            "$1_transformer.layers.$2.$3"),
                    rule("downsample\\.conv\\.conv\\.conv\\.weight", "downsample.weight"),
                    rule("upsample\\.convtr\\.convtr\\.convtr\\.weight", "upsample.weight"),
                    rule(
                            "quantizer\\.rvq_(first|rest)\\.(input_proj|output_proj)\\.weight",
                            "quantizer.$1.$2.weight"),
                    rule(
                            "quantizer\\.rvq_(first|rest)\\.vq\\.layers\\.(\\d+)\\._codebook\\.embedding_sum",
                            "quantizer.$1.codebook_sum.$2"),
                    rule(
                            "quantizer\\.rvq_(first|rest)\\.vq\\.layers\\.(\\d+)\\._codebook\\.cluster_usage",
                            "quantizer.$1.cluster_usage.$2"),
                    rule(
                            "quantizer\\.rvq_(first|rest)\\.vq\\.layers\\.(\\d+)\\._codebook\\._initialized",
                            ""))),

    TRANSFORMERS(
            "quantizer.semantic_residual_vector_quantizer.input_proj.weight",
            List.of(
                    rule("(encoder|decoder)\\.layers\\.(\\d+)\\.conv\\.(weight|bias)", "$1.$2.$3"),
                    rule(
                            "(encoder|decoder)\\.layers\\.(\\d+)\\.block\\.(\\d+)\\.conv\\.(weight|bias)",
                            "$1.$2.block.$3.$4"),
                    rule(
                            "(encoder|decoder)_transformer\\.layers\\.(\\d+)\\.self_attn\\.([qkv])_proj\\.weight",
                            "$1_transformer.layers.$2.$3_proj.weight"),
                    rule(
                            "(encoder|decoder)_transformer\\.layers\\.(\\d+)\\.self_attn\\.o_proj\\.weight",
                            "$1_transformer.layers.$2.out_proj.weight"),
                    rule(
                            "(encoder|decoder)_transformer\\.layers\\.(\\d+)\\.input_layernorm\\.(weight|bias)",
                            "$1_transformer.layers.$2.norm1.$3"),
                    rule(
                            "(encoder|decoder)_transformer\\.layers\\.(\\d+)\\.post_attention_layernorm\\.(weight|bias)",
                            "$1_transformer.layers.$2.norm2.$3"),
                    rule(
                            "(encoder|decoder)_transformer\\.layers\\.(\\d+)\\.mlp\\.fc1\\.weight",
                            "$1_transformer.layers.$2.linear1.weight"),
                    rule(
                            "(encoder|decoder)_transformer\\.layers\\.(\\d+)\\.mlp\\.fc2\\.weight",
                            "$1_transformer.layers.$2.linear2.weight"),
                    rule(
                            "(encoder|decoder)_transformer\\.layers\\.(\\d+)\\.self_attn_layer_scale\\.scale",
                            "$1_transformer.layers.$2.layer_scale_1"),
                    rule(
                            "(encoder|decoder)_transformer\\.layers\\.(\\d+)\\.mlp_layer_scale\\.scale",
                            "$1_transformer.layers.$2.layer_scale_2"),
                    rule("downsample\\.conv\\.weight", "downsample.weight"),
                    rule("upsample\\.conv\\.weight", "upsample.weight"),
                    rule(
                            "quantizer\\.semantic_residual_vector_quantizer\\.(input_proj|output_proj)\\.weight",
                            "quantizer.first.$1.weight"),
                    rule(
                            "quantizer\\.acoustic_residual_vector_quantizer\\.(input_proj|output_proj)\\.weight",
                            "quantizer.rest.$1.weight"),
                    rule(
                            "quantizer\\.semantic_residual_vector_quantizer\\.layers\\.(\\d+)\\.codebook\\.embed_sum",
                            "quantizer.first.codebook_sum.$1"),
                    rule(
                            "quantizer\\.acoustic_residual_vector_quantizer\\.layers\\.(\\d+)\\.codebook\\.embed_sum",
                            "quantizer.rest.codebook_sum.$1"),
                    rule(
                            "quantizer\\.semantic_residual_vector_quantizer\\.layers\\.(\\d+)\\.codebook\\.cluster_usage",
                            "quantizer.first.cluster_usage.$1"),
                    rule(
                            "quantizer\\.acoustic_residual_vector_quantizer\\.layers\\.(\\d+)\\.codebook\\.cluster_usage",
                            "quantizer.rest.cluster_usage.$1"),
                    rule(
                            "quantizer\\.(?:semantic|acoustic)_residual_vector_quantizer\\.layers\\.(\\d+)\\.codebook\\.initialized",
                            "")));

    private final String marker;
    private final List<Map.Entry<Pattern, String>> rules;

    MimiLayout(String marker, List<Map.Entry<Pattern, String>> rules) {
        this.marker = marker;
        this.rules = rules;
    }

    private static Map.Entry<Pattern, String> rule(String regex, String replacement) {
        return Map.entry(Pattern.compile(regex), replacement);
    }

    /** A key whose presence (after the prefix) identifies the layout. */
    public String marker() {
        return marker;
    }

    /**
     * The intermediate canonical name of a stored name (prefix removed): an empty string for a
     * tensor unused at inference; {@code null} for a name this layout does not know. HF q/k/v stay
     * {@code *_proj.weight} here and are fused by {@link MimiCheckpoint}.
     */
    public String rename(String stored) {
        for (Map.Entry<Pattern, String> r : rules) {
            Matcher m = r.getKey().matcher(stored);
            if (m.matches()) {
                return m.replaceAll(r.getValue());
            }
        }
        return null;
    }
}
