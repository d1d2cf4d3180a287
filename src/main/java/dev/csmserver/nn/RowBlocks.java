package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which row counts FBGEMM's float16 GEMM multiplies batch-invariantly, and how far to pad the rest.
 * FBGEMM cuts M rows into blocks of {@link #MAX_BLOCK} and each block into kernels of 1 to 14 rows
 * after a fixed table; on AVX-512 CPUs its 1- and 2-row kernels sum in another order than the
 * others, so a row multiplied alone (M = 1), or in the 2-row tail of M = 7 or 32, differs in the
 * last bits from the same row in a batch of 4, and sampled codes could then depend on what runs
 * beside a request. The table is FBGEMM's and differs between its versions and ISAs, so it is not
 * copied here: {@link #probe} multiplies a small random product at every M up to {@link #MAX_BLOCK}
 * once at load and keeps the counts whose every row has its bits from a 4-row call; any other count
 * is padded with zero rows up to the next such count (a row more or two of a memory-bound product
 * costs about nothing).
 */
final class RowBlocks {
    private static final Logger LOG = LoggerFactory.getLogger(RowBlocks.class);

    /**
     * FBGEMM's row block ({@code mb_max}): longer inputs run as blocks of this many rows plus a
     * tail.
     */
    static final int MAX_BLOCK = 120;

    /** No padding (no FBGEMM, or nothing to fix). */
    static final RowBlocks IDENTITY = new RowBlocks(null);

    /**
     * {@code padded[m]} for 1 ≤ m ≤ MAX_BLOCK: the smallest safe count ≥ m, or m when there is
     * none.
     */
    private final int[] padded;

    private RowBlocks(int[] padded) {
        this.padded = padded;
    }

    /** The row count to run for {@code rows} rows (≥ rows). */
    int paddedRows(int rows) {
        if (padded == null || rows <= 0) {
            return rows;
        }
        int full = rows / MAX_BLOCK;
        int tail = rows % MAX_BLOCK;
        return tail == 0 ? rows : full * MAX_BLOCK + padded[tail];
    }

    /**
     * Builds the table from {@code safe[m]} (whether m rows are batch-invariant), 1 ≤ m ≤
     * MAX_BLOCK.
     */
    static RowBlocks of(boolean[] safe) {
        int[] padded = new int[MAX_BLOCK + 1];
        int next = -1;
        for (int m = MAX_BLOCK; m >= 1; m--) {
            if (safe[m]) {
                next = m;
            }
            padded[m] = next < 0 ? m : next;
        }
        if (!safe[MAX_BLOCK]) {
            // Longer inputs run whole blocks of MAX_BLOCK rows, which padding cannot change.
            LOG.warn(
                    "FBGEMM's {}-row blocks are not batch-invariant on this CPU: prompts longer than that "
                            + "may differ in the last bits from the same rows in another batch",
                    MAX_BLOCK);
        }
        return new RowBlocks(padded);
    }

    /**
     * Probes {@code gemm} once: a [64, 256] weight times rows of pseudo-random values at every M.
     */
    static RowBlocks probe(FbgemmFp16 gemm, NDManager parent) {
        int in = 256;
        int out = 64;
        try (NDManager m = parent.newSubManager()) {
            NDArray packed = gemm.pack(m.create(pseudoRandom(out * in, 11), new Shape(out, in)));
            NDArray x =
                    m.create(pseudoRandom((MAX_BLOCK + 4) * in, 12), new Shape(MAX_BLOCK + 4, in));
            float[][] reference = new float[MAX_BLOCK][];
            for (int r = 0; r < MAX_BLOCK; r += 4) {
                float[] y =
                        gemm.linear(x.get(new NDIndex().addSliceDim(r, r + 4)), packed)
                                .toFloatArray();
                for (int i = 0; i < 4 && r + i < MAX_BLOCK; i++) {
                    reference[r + i] = Arrays.copyOfRange(y, i * out, (i + 1) * out);
                }
            }
            boolean[] safe = new boolean[MAX_BLOCK + 1];
            List<Integer> unsafe = new ArrayList<>();
            for (int rows = 1; rows <= MAX_BLOCK; rows++) {
                float[] y =
                        gemm.linear(x.get(new NDIndex().addSliceDim(0, rows)), packed)
                                .toFloatArray();
                safe[rows] = true;
                for (int r = 0; r < rows && safe[rows]; r++) {
                    safe[rows] =
                            Arrays.equals(
                                    reference[r], Arrays.copyOfRange(y, r * out, (r + 1) * out));
                }
                if (!safe[rows]) {
                    unsafe.add(rows);
                }
            }
            if (!unsafe.isEmpty()) {
                LOG.info(
                        "FBGEMM float16: row counts {} are padded to keep each row's bits batch-invariant",
                        unsafe);
            }
            return of(safe);
        }
    }

    /**
     * Deterministic values in [-1, 1) (a 64-bit LCG), so the probe needs no random generator state.
     */
    static float[] pseudoRandom(int n, long seed) {
        float[] v = new float[n];
        long s = seed * 6364136223846793005L + 1442695040888963407L;
        for (int i = 0; i < n; i++) {
            s = s * 6364136223846793005L + 1442695040888963407L;
            v[i] = ((s >>> 40) / (float) (1 << 24)) * 2f - 1f;
        }
        return v;
    }
}
