package dev.csmserver.nn;

/**
 * Hyper-parameters of one Llama-3.2 style stack (torchtune {@code llama3_2(...)}): layers, width,
 * heads, KV heads, head dim, SwiGLU hidden size, RMSNorm eps, RoPE and the RoPE table length.
 */
public record LlamaConfig(
        int numLayers,
        int embedDim,
        int numHeads,
        int numKvHeads,
        int headDim,
        int intermediateDim,
        double normEps,
        RopeScaling rope,
        int maxSeqLen) {
    public LlamaConfig {
        if (numLayers < 1
                || embedDim < 1
                || numHeads < 1
                || numKvHeads < 1
                || headDim < 2
                || headDim % 2 != 0
                || intermediateDim < 1
                || maxSeqLen < 1) {
            throw new IllegalArgumentException(
                    "invalid transformer config "
                            + numLayers
                            + "/"
                            + embedDim
                            + "/"
                            + numHeads
                            + "/"
                            + numKvHeads
                            + "/"
                            + headDim
                            + "/"
                            + intermediateDim);
        }
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException(
                    numHeads + " heads are not a multiple of " + numKvHeads + " KV heads");
        }
    }

    public int qDim() {
        return numHeads * headDim;
    }

    public int kvDim() {
        return numKvHeads * headDim;
    }
}
