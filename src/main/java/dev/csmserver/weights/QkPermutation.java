package dev.csmserver.weights;

/**
 * Undoes transformers' q/k row permutation (spec 6.2): {@code convert_csm.py} reorders each head's
 * rows from torchtune's interleaved RoPE pairs {@code (2i, 2i+1)} to rotate-half pairs {@code (i, i
 * + D/2)}. Back: original row {@code (h, 2i + j)} = HF row {@code (h, j·D/2 + i)}.
 */
public final class QkPermutation {
    private QkPermutation() {}

    /** HF {@code [n·D, in]} q or k weight to the interleaved layout, lazily. */
    public static HostTensor toInterleaved(HostTensor hf, int headDim) {
        long[] shape = hf.shape();
        if (shape.length != 2 || headDim % 2 != 0 || shape[0] % headDim != 0) {
            throw new WeightsException(
                    "cannot un-permute a q/k weight of shape "
                            + java.util.Arrays.toString(shape)
                            + " with head_dim "
                            + headDim);
        }
        int rows = (int) shape[0];
        int in = (int) shape[1];
        return new HostTensor(shape, () -> unpermute(hf.data(), rows, in, headDim));
    }

    static float[] unpermute(float[] src, int rows, int in, int headDim) {
        float[] out = new float[src.length];
        int half = headDim / 2;
        for (int h = 0; h < rows / headDim; h++) {
            int base = h * headDim;
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < 2; j++) {
                    int from = base + j * half + i;
                    int to = base + 2 * i + j;
                    System.arraycopy(src, from * in, out, to * in, in);
                }
            }
        }
        return out;
    }
}
