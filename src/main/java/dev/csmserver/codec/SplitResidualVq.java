package dev.csmserver.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.core.Linear;

/**
 * Mimi's split residual vector quantizer (moshi {@code SplitResidualVectorQuantizer}, csm-spec
 * §5.6): one semantic codebook and {@code K - 1} acoustic codebooks, each group with its own 1x1
 * input and output projections, both groups quantizing the SAME latent. Codebooks are the effective
 * {@code embedding_sum / clamp(cluster_usage)} tables derived when the checkpoint was opened.
 */
final class SplitResidualVq {
    private final NDArray firstIn; // [dq, D]
    private final NDArray restIn;
    private final NDArray firstOutRows; // [1, D, dq]
    private final NDArray restOutRows; // [1, D, dq]
    private final NDArray[] codebooks; // K x [bins, dq]
    private final NDArray[] codebooksT; // K x [dq, bins]
    private final NDArray[] squaredNorms; // K x [bins]
    private final NDArray restStacked; // [(K - 1) * bins, dq], row q * bins + code
    private final int numCodebooks;
    private final int bins;

    SplitResidualVq(MimiConfig c, CodecWeights w) {
        long d = c.dimension();
        long dq = c.codebookDim();
        numCodebooks = c.numCodebooks();
        bins = c.codebookSize();
        firstIn = w.array("quantizer.first.input_proj.weight", dq, d, 1).reshape(dq, d);
        firstOutRows = w.array("quantizer.first.output_proj.weight", d, dq, 1).reshape(1, d, dq);
        restIn = w.array("quantizer.rest.input_proj.weight", dq, d, 1).reshape(dq, d);
        restOutRows = w.array("quantizer.rest.output_proj.weight", d, dq, 1).reshape(1, d, dq);
        codebooks = new NDArray[numCodebooks];
        codebooksT = new NDArray[numCodebooks];
        squaredNorms = new NDArray[numCodebooks];
        codebooks[0] = w.array("quantizer.first.codebook.0", bins, dq);
        for (int q = 1; q < numCodebooks; q++) {
            codebooks[q] = w.array("quantizer.rest.codebook." + (q - 1), bins, dq);
        }
        for (int q = 0; q < numCodebooks; q++) {
            codebooksT[q] = codebooks[q].transpose().duplicate();
            squaredNorms[q] = codebooks[q].square().sum(new int[] {1});
        }
        NDList rest = new NDList();
        for (int q = 1; q < numCodebooks; q++) {
            rest.add(codebooks[q]);
        }
        restStacked = NDArrays.concat(rest, 0);
    }

    int numCodebooks() {
        return numCodebooks;
    }

    int bins() {
        return bins;
    }

    /**
     * Latent {@code z [1, D, T]} → codes {@code [K, T]} int64 (nearest entry, residual by
     * residual).
     */
    NDArray encode(NDArray z) {
        NDArray zt = z.get(0).transpose(); // [T, D]
        NDList codes = new NDList();
        codes.add(nearest(Linear.linear(zt, firstIn).singletonOrThrow(), 0));
        NDArray residual = Linear.linear(zt, restIn).singletonOrThrow(); // [T, dq]
        for (int q = 1; q < numCodebooks; q++) {
            NDArray idx = nearest(residual, q);
            codes.add(idx);
            residual = residual.sub(codebooks[q].get(new NDIndex("{}", idx)));
        }
        return NDArrays.stack(codes, 0);
    }

    /** argmin_j ||r - E_j||² over {@code r [T, dq]} → {@code [T]} int64. */
    private NDArray nearest(NDArray r, int q) {
        // ||r||² is the same for every j, so it is left out of the comparison.
        return r.matMul(codebooksT[q]).mul(-2).add(squaredNorms[q]).argMin(1);
    }

    /** Codes {@code [K, T]} int64 (already in range) → latent {@code [1, D, T]}. */
    NDArray decode(NDArray codes) {
        return decodeRows(codes.expandDims(0));
    }

    /**
     * Codes of several streams {@code [B, K, T]} int64 (already in range) → latents {@code [B, D,
     * T]}, all rows in one pass of lookups and products.
     */
    NDArray decodeRows(NDArray codes) {
        long b = codes.getShape().get(0);
        long t = codes.getShape().get(2);
        long dq = restStacked.getShape().get(1);
        NDArray semantic =
                codebooks[0]
                        .get(new NDIndex("{}", codes.get(":, 0, :").flatten()))
                        .reshape(b, t, dq)
                        .transpose(0, 2, 1); // [B, dq, T]
        NDArray offsets =
                codes.getManager()
                        .arange(0, (numCodebooks - 1) * bins, bins, DataType.INT64)
                        .reshape(numCodebooks - 1, 1);
        NDArray rows = codes.get(":, 1:, :").add(offsets).flatten(); // [B·(K - 1)·T]
        NDArray acoustic =
                restStacked
                        .get(new NDIndex("{}", rows))
                        .reshape(b, numCodebooks - 1, t, dq)
                        .sum(new int[] {1})
                        .transpose(0, 2, 1); // [B, dq, T]
        // [1, D, dq] x [B, dq, T]: bmm's, one product per stream, so a row's bits do not depend
        // on the rows beside it
        return firstOutRows.matMul(semantic).add(restOutRows.matMul(acoustic)); // [B, D, T]
    }
}
