package dev.csmserver.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * {@code Model._embed_tokens} (spec 3.4): a row's embedding is the masked sum of its K audio
 * embeddings (codebook k, code t → row {@code t + V·k} of the one audio table) and its text
 * embedding. Tables may be float16; the sum is always float32.
 */
public final class FrameEmbedder {
    private final NDArray text;
    private final NDArray audio;
    private final int vocab;
    private final int codebooks;
    private final long dim;

    /** {@code [1, K]} int64: codebook k's first row in {@link #audio}, {@code V·k}. */
    private final NDArray offsets;

    /** {@code [1, K+1, 1]} float32: a fed-back frame's mask, every code column and no text. */
    private final NDArray frameMask;

    /** {@code [1]} int64 zero: the text id of a fed-back frame (masked out, but summed). */
    private final NDArray noText;

    /** {@code text [Tv, D]}, {@code audio [V·K, D]} float32 or float16. */
    public FrameEmbedder(NDArray text, NDArray audio, int audioVocabSize, int numCodebooks) {
        this.text = text;
        this.audio = audio;
        this.vocab = audioVocabSize;
        this.codebooks = numCodebooks;
        this.dim = audio.getShape().get(1);
        // device constants made once, so that a frame step uploads its codes and nothing else
        NDManager m = audio.getManager();
        long[] off = new long[numCodebooks];
        float[] mask = new float[numCodebooks + 1];
        for (int k = 0; k < numCodebooks; k++) {
            off[k] = (long) audioVocabSize * k;
            mask[k] = 1f;
        }
        this.offsets = m.create(off, new Shape(1, numCodebooks)); // [1, K] int64
        this.frameMask = m.create(mask, new Shape(1, numCodebooks + 1, 1)); // [1, K+1, 1]
        this.noText = m.zeros(new Shape(1), DataType.INT64); // [1] int64
    }

    /** Rows {@code tokens/mask [N][K+1]} → {@code [N, D]} float32. */
    public NDArray embedRows(long[][] tokens, boolean[][] mask) {
        int n = tokens.length;
        int w = codebooks + 1;
        long[] audioIdx = new long[n * codebooks];
        long[] textIdx = new long[n];
        float[] m = new float[n * w];
        for (int r = 0; r < n; r++) {
            if (tokens[r].length != w || mask[r].length != w) {
                throw new IllegalArgumentException("row " + r + " is not " + w + " columns wide");
            }
            for (int k = 0; k < codebooks; k++) {
                audioIdx[r * codebooks + k] =
                        checked(tokens[r][k], vocab, "audio code") + (long) vocab * k;
            }
            textIdx[r] = checked(tokens[r][codebooks], text.getShape().get(0), "text id");
            for (int c = 0; c < w; c++) {
                m[r * w + c] = mask[r][c] ? 1f : 0f;
            }
        }
        NDArray a = gather(audio, audioIdx).reshape(n, codebooks, dim); // [N, K, D]
        NDArray t = gather(text, textIdx).reshape(n, 1, dim); // [N, 1, D]
        NDArray all = NDArrays.concat(new ai.djl.ndarray.NDList(a, t), 1); // [N, K+1, D]
        NDArray maskNd = a.getManager().create(m, new Shape(n, w, 1)); // [N, K+1, 1] float32
        return all.mul(maskNd).sum(new int[] {1}); // [N, D] float32
    }

    /**
     * Fed-back frames already on the device, {@code codes [N, K]} int64 (each in {@code [0, V)}:
     * the caller checks) → {@code [N, D]} float32, exactly {@link #embedRows} of {@link
     * PromptRows#ofFrame} rows, made by device ops only (no host data moves).
     */
    public NDArray embedFrames(NDArray codes) {
        long n = codes.getShape().get(0);
        NDArray a = gather(audio, codes.add(offsets)); // [N, K, D]
        NDArray t = gather(text, noText).reshape(1, 1, dim).broadcast(n, 1, dim); // [N, 1, D]
        NDArray all = NDArrays.concat(new ai.djl.ndarray.NDList(a, t), 1); // [N, K+1, D]
        return all.mul(frameMask).sum(new int[] {1}); // [N, D] float32
    }

    /**
     * Code {@code codes[b]} of codebook {@code codebook} for each row → {@code [B, 1, D]} float32.
     */
    public NDArray embedCodes(int[] codes, int codebook) {
        long[] idx = new long[codes.length];
        for (int b = 0; b < codes.length; b++) {
            idx[b] = checked(codes[b], vocab, "audio code") + (long) vocab * codebook;
        }
        return gather(audio, idx).reshape(codes.length, 1, dim);
    }

    /** The audio table {@code [V·K, D]} as held (float32 or float16). */
    NDArray audioTable() {
        return audio;
    }

    private static NDArray gather(NDArray table, long[] idx) {
        return gather(table, table.getManager().create(idx));
    }

    /** Rows {@code idx [...]} int64 of {@code table [R, D]} → {@code [..., D]} float32. */
    private static NDArray gather(NDArray table, NDArray idx) {
        NDArray rows = table.get(new NDIndex("{}", idx));
        return rows.getDataType() == DataType.FLOAT32 ? rows : rows.toType(DataType.FLOAT32, false);
    }

    private static long checked(long id, long limit, String what) {
        if (id < 0 || id >= limit) {
            throw new IllegalArgumentException(what + " " + id + " outside [0, " + limit + ")");
        }
        return id;
    }
}
