package dev.csmserver.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Hyper-parameters of a Mimi codec (moshi 0.2.2 {@code loaders.get_mimi}, csm-spec §5.1). Built by
 * {@link #v0_1(int)} for the released model, or read from a JSON config: the moshi-style {@code
 * config.json} of the golden fixtures, a Hugging Face {@code MimiConfig}, or the {@code
 * codec_config} block of a transformers CSM {@code config.json}.
 *
 * @param ratios SEANet ratios in decoder order (the encoder uses them reversed)
 * @param context attention window in 25 Hz steps: a query at q sees keys k with q - k < context
 * @param frameRateStride stride of the learnt 25 Hz to 12.5 Hz conv (its kernel is twice that)
 */
public record MimiConfig(
        int sampleRateHz,
        int nFilters,
        int dimension,
        List<Integer> ratios,
        int kernelSize,
        int lastKernelSize,
        int residualKernelSize,
        int nResidualLayers,
        int dilationBase,
        int compress,
        int numHeads,
        int numLayers,
        int dimFeedforward,
        int context,
        double maxPeriod,
        double normEps,
        int numCodebooks,
        int numSemanticCodebooks,
        int codebookSize,
        int codebookDim,
        int frameRateStride) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public MimiConfig {
        ratios = List.copyOf(ratios);
        if (dimension % numHeads != 0 || (dimension / numHeads) % 2 != 0) {
            throw new IllegalArgumentException(
                    "d_model "
                            + dimension
                            + " must split into "
                            + numHeads
                            + " heads of even size");
        }
        if (numCodebooks <= numSemanticCodebooks || numSemanticCodebooks != 1) {
            throw new IllegalArgumentException(
                    "need 1 semantic and at least 1 acoustic codebook, got "
                            + numSemanticCodebooks
                            + " of "
                            + numCodebooks);
        }
        if (context < 1 || frameRateStride < 1 || nResidualLayers < 0) {
            throw new IllegalArgumentException(
                    "invalid Mimi config: context " + context + ", stride " + frameRateStride);
        }
    }

    /**
     * The released Mimi as CSM uses it (moshi 0.2.2), with {@code numCodebooks} active codebooks.
     */
    public static MimiConfig v0_1(int numCodebooks) {
        return new MimiConfig(
                24_000,
                64,
                512,
                List.of(8, 6, 5, 4),
                7,
                3,
                3,
                1,
                2,
                2,
                8,
                8,
                2048,
                250,
                10_000,
                1e-5,
                numCodebooks,
                1,
                2048,
                256,
                2);
    }

    /**
     * A small random-weight-sized Mimi with the real frame geometry (24 kHz, 1920 samples per
     * frame): for tests and the demo model. 16 latent channels, 2 layers of 2 heads, 32-entry
     * codebooks of dimension 8.
     */
    public static MimiConfig tiny(int numCodebooks, int context) {
        return new MimiConfig(
                24_000,
                4,
                16,
                List.of(8, 6, 5, 4),
                7,
                3,
                3,
                1,
                2,
                2,
                2,
                2,
                32,
                context,
                10_000,
                1e-5,
                numCodebooks,
                1,
                32,
                8,
                2);
    }

    /** The same model with another attention window (tests of the window logic). */
    public MimiConfig withContext(int newContext) {
        return new MimiConfig(
                sampleRateHz,
                nFilters,
                dimension,
                ratios,
                kernelSize,
                lastKernelSize,
                residualKernelSize,
                nResidualLayers,
                dilationBase,
                compress,
                numHeads,
                numLayers,
                dimFeedforward,
                newContext,
                maxPeriod,
                normEps,
                numCodebooks,
                numSemanticCodebooks,
                codebookSize,
                codebookDim,
                frameRateStride);
    }

    /** SEANet hop: samples per 25 Hz latent step (960). */
    public int hopLength() {
        return ratios.stream().reduce(1, Math::multiplyExact);
    }

    /** Samples per code frame (1920). */
    public int frameSize() {
        return hopLength() * frameRateStride;
    }

    public double frameRateHz() {
        return sampleRateHz / (double) frameSize();
    }

    public int headDim() {
        return dimension / numHeads;
    }

    /** Reads a moshi-style, HF {@code MimiConfig} or CSM-with-{@code codec_config} JSON file. */
    public static MimiConfig fromJson(Path file) {
        try {
            return fromJson(JSON.readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": unreadable Mimi config", e);
        }
    }

    /** See {@link #fromJson(Path)}. */
    public static MimiConfig fromJson(JsonNode root) {
        if (root.has("codec_config")) {
            return fromJson(root.get("codec_config"));
        }
        if (root.has("seanet") && root.has("transformer") && root.has("quantizer")) {
            return fromMoshi(root);
        }
        if (root.has("upsampling_ratios")) {
            return fromHf(root);
        }
        throw new IllegalArgumentException(
                "not a Mimi config: expected moshi keys (seanet, transformer, quantizer),"
                        + " HF MimiConfig keys (upsampling_ratios, ...) or a codec_config block");
    }

    private static MimiConfig fromMoshi(JsonNode root) {
        JsonNode s = root.get("seanet");
        JsonNode t = root.get("transformer");
        JsonNode q = root.get("quantizer");
        int dimension = req(s, "dimension");
        if (req(t, "d_model") != dimension
                || q.path("input_dimension").asInt(dimension) != dimension) {
            throw new IllegalArgumentException(
                    "transformer d_model and quantizer input must equal the SEANet dimension");
        }
        if (!s.path("true_skip").asBoolean(true) || !"none".equals(s.path("norm").asText("none"))) {
            throw new IllegalArgumentException(
                    "only true_skip SEANet without weight norm is supported");
        }
        double eps = root.path("transformer_details").path("norm_eps").asDouble(1e-5);
        int stride = root.path("downsample").path("stride").asInt(2);
        return new MimiConfig(
                req(root, "sample_rate"),
                req(s, "n_filters"),
                dimension,
                ints(s.get("ratios")),
                req(s, "kernel_size"),
                req(s, "last_kernel_size"),
                req(s, "residual_kernel_size"),
                req(s, "n_residual_layers"),
                req(s, "dilation_base"),
                req(s, "compress"),
                req(t, "num_heads"),
                req(t, "num_layers"),
                req(t, "dim_feedforward"),
                req(t, "context"),
                t.path("max_period").asDouble(10_000),
                eps,
                req(q, "n_q"),
                q.path("n_q_semantic").asInt(1),
                req(q, "bins"),
                req(q, "dimension"),
                stride);
    }

    private static MimiConfig fromHf(JsonNode c) {
        List<Integer> ratios = ints(c.get("upsampling_ratios"));
        int hop = ratios.stream().reduce(1, Math::multiplyExact);
        int sampleRate = req(c, "sampling_rate");
        double frameRate = c.path("frame_rate").asDouble(12.5);
        int stride = (int) Math.round(sampleRate / (double) hop / frameRate);
        if (c.path("use_conv_shortcut").asBoolean(false)) {
            throw new IllegalArgumentException(
                    "use_conv_shortcut is not supported (Mimi uses true skips)");
        }
        int codebookDim = req(c, "codebook_dim");
        if (c.path("vector_quantization_hidden_dimension").asInt(codebookDim) != codebookDim) {
            throw new IllegalArgumentException(
                    "vector_quantization_hidden_dimension must equal codebook_dim");
        }
        int hidden = req(c, "hidden_size");
        int heads = req(c, "num_attention_heads");
        if (c.has("head_dim") && c.get("head_dim").asInt() * heads != hidden) {
            throw new IllegalArgumentException("head_dim x heads must equal hidden_size");
        }
        return new MimiConfig(
                sampleRate,
                req(c, "num_filters"),
                hidden,
                ratios,
                req(c, "kernel_size"),
                req(c, "last_kernel_size"),
                req(c, "residual_kernel_size"),
                req(c, "num_residual_layers"),
                req(c, "dilation_growth_rate"),
                req(c, "compress"),
                heads,
                req(c, "num_hidden_layers"),
                req(c, "intermediate_size"),
                req(c, "sliding_window"),
                c.path("rope_theta").asDouble(10_000),
                c.path("norm_eps").asDouble(1e-5),
                c.path("num_quantizers").asInt(32),
                c.path("num_semantic_quantizers").asInt(1),
                req(c, "codebook_size"),
                codebookDim,
                stride);
    }

    private static int req(JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException("Mimi config lacks numeric '" + key + "'");
        }
        return v.asInt();
    }

    private static List<Integer> ints(JsonNode array) {
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw new IllegalArgumentException("Mimi config lacks the ratios array");
        }
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }
}
