package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * torchtune {@code Llama3ScaledRoPE} with interleaved pairs {@code (x[2i], x[2i+1])} (spec 3.3).
 * The cos/sin tables ({@code [maxPos, D]}, each pair's value repeated twice) and the pair-swap
 * matrix are computed once at load; applying it is {@code x·cos + (x·P)·sin}, which is exactly
 * {@code (x0·c − x1·s, x1·c + x0·s)} per pair.
 */
public final class Llama3Rope {
    private final NDArray cos;
    private final NDArray sin;
    private final NDArray swap;
    private final int headDim;

    private Llama3Rope(NDArray cos, NDArray sin, NDArray swap, int headDim) {
        this.cos = cos;
        this.sin = sin;
        this.swap = swap;
        this.headDim = headDim;
    }

    /** Builds the tables for positions {@code 0 .. maxPos-1} in {@code manager} (float32). */
    public static Llama3Rope create(NDManager manager, RopeScaling rope, int headDim, int maxPos) {
        float[] theta = frequencies(rope, headDim);
        float[] c = new float[maxPos * headDim];
        float[] s = new float[maxPos * headDim];
        for (int p = 0; p < maxPos; p++) {
            for (int i = 0; i < headDim / 2; i++) {
                float angle = (float) p * theta[i]; // torch: einsum of float32 positions and thetas
                float cv = (float) Math.cos(angle);
                float sv = (float) Math.sin(angle);
                int at = p * headDim + 2 * i;
                c[at] = cv;
                c[at + 1] = cv;
                s[at] = sv;
                s[at + 1] = sv;
            }
        }
        float[] pSwap = new float[headDim * headDim];
        for (int i = 0; i < headDim / 2; i++) {
            pSwap[(2 * i + 1) * headDim + 2 * i] = -1f; // out[2i]   = -x[2i+1]
            pSwap[(2 * i) * headDim + 2 * i + 1] = 1f; //  out[2i+1] =  x[2i]
        }
        return new Llama3Rope(
                manager.create(c, new Shape(maxPos, headDim)), // [maxPos, D] float32
                manager.create(s, new Shape(maxPos, headDim)),
                manager.create(pSwap, new Shape(headDim, headDim)),
                headDim);
    }

    /** The scaled inverse frequencies θ'_i, float32 like torchtune. */
    static float[] frequencies(RopeScaling rope, int headDim) {
        float[] out = new float[headDim / 2];
        float lowWavelen = (float) (rope.oldContextLen() / rope.lowFreqFactor());
        float highWavelen = (float) (rope.oldContextLen() / rope.highFreqFactor());
        float scale = (float) rope.scaleFactor();
        for (int i = 0; i < out.length; i++) {
            float exponent = (float) (2 * i) / (float) headDim;
            float freq = (float) (1.0 / (float) Math.pow(rope.base(), exponent));
            float wavelen = (float) (2 * Math.PI / freq);
            if (wavelen < highWavelen) {
                out[i] = freq;
            } else if (wavelen > lowWavelen) {
                out[i] = freq / scale;
            } else {
                float smooth =
                        (float)
                                ((rope.oldContextLen() / wavelen - rope.lowFreqFactor())
                                        / (rope.highFreqFactor() - rope.lowFreqFactor()));
                out[i] = (1 - smooth) * freq / scale + smooth * freq;
            }
        }
        return out;
    }

    /**
     * cos and sin rows for {@code positions} (row-major over [B, S]) as two {@code [B, S, 1, D]}
     * arrays.
     */
    public NDArray[] tables(long[] positions, int batch, int seq) {
        return tables(cos.getManager().create(positions), batch, seq); // [B·S] int64
    }

    /**
     * As {@link #tables(long[], int, int)} with the positions already on the device ({@code [B·S]}
     * int64): gathered there, nothing uploaded.
     */
    public NDArray[] tables(NDArray idx, int batch, int seq) {
        NDIndex take = new NDIndex("{}", idx);
        Shape shape = new Shape(batch, seq, 1, headDim);
        return new NDArray[] {cos.get(take).reshape(shape), sin.get(take).reshape(shape)};
    }

    /**
     * cos and sin of positions {@code start .. start+seq-1} shared by every row of a batch, as two
     * {@code [1, seq, 1, D]} arrays created in the tables' manager (for precomputing once at load).
     */
    public NDArray[] sharedTables(int start, int seq) {
        NDIndex rows = new NDIndex().addSliceDim(start, start + seq);
        Shape shape = new Shape(1, seq, 1, headDim);
        return new NDArray[] {cos.get(rows).reshape(shape), sin.get(rows).reshape(shape)};
    }

    /** The cos and sin tables {@code [maxPos, D]} (for a scripted step that gathers its rows). */
    NDArray[] fullTables() {
        return new NDArray[] {cos, sin};
    }

    /** The pair-swap matrix {@code [D, D]} (for scripted steps that rotate themselves). */
    NDArray swap() {
        return swap;
    }

    /** {@code x [B, S, H, D]} float32 rotated with {@code tables(...)} → same shape. */
    public NDArray apply(NDArray x, NDArray[] cosSin) {
        // one [B·S·H, D] x [D, D] product: a 4-D matmul runs as B·S·H tiny products
        NDArray swapped = x.reshape(-1, headDim).matMul(swap).reshape(x.getShape());
        return x.mul(cosSin[0]).add(swapped.mul(cosSin[1]));
    }
}
