package dev.csmserver.model;

import ai.djl.ndarray.NDArray;
import dev.csmserver.nn.Linear;
import java.util.Arrays;

/**
 * The host-driven reference of {@link FrameHeads}, for tests: c0 from the head, then the depth
 * decoder step by step, each a handful of DJL calls, each code the forced one or the argmax.
 */
final class HostHeads {
    private final CsmConfig config;
    private final Linear codebook0Head;
    private final DepthDecoder decoder;
    private final FrameEmbedder decoderEmbedder;

    HostHeads(
            CsmConfig config,
            Linear codebook0Head,
            DepthDecoder decoder,
            FrameEmbedder decoderEmbedder) {
        this.config = config;
        this.codebook0Head = codebook0Head;
        this.decoder = decoder;
        this.decoderEmbedder = decoderEmbedder;
    }

    /** {@code lastH [B, D]} → codes {@code [B][K]}, in the caller's scope. */
    int[][] frame(NDArray lastH, CodePicker picker) {
        int b = (int) lastH.getShape().get(0);
        float[] logits = codebook0Head.forward(lastH).toFloatArray(); // [B, V]
        int[] column = new int[b];
        pickAll(picker, 0, logits, picker.records() ? lastH.toFloatArray() : null, column);
        int[][] codes = new int[b][config.numCodebooks()];
        for (int r = 0; r < b; r++) {
            codes[r][0] = column[r];
        }
        decoder.generate(lastH, codes, decoderEmbedder, picker);
        return codes;
    }

    /**
     * Splits batched host logits {@code [B·V]} (and hidden {@code [B·H]}) per row, records them and
     * picks each code: the forced one, else the argmax.
     */
    static void pickAll(
            CodePicker picker, int codebook, float[] logits, float[] hidden, int[] out) {
        int b = out.length;
        int v = logits.length / b;
        for (int r = 0; r < b; r++) {
            float[] row = Arrays.copyOfRange(logits, r * v, (r + 1) * v);
            if (hidden != null) {
                int h = hidden.length / b;
                picker.hidden(r, codebook, Arrays.copyOfRange(hidden, r * h, (r + 1) * h));
            }
            if (picker.records()) {
                picker.logits(r, codebook, row);
            }
            int forced = picker.forced(r, codebook);
            out[r] = forced >= 0 ? forced : Sampler.argmax(row);
        }
    }
}
