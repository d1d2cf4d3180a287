package dev.csmserver.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.csmserver.nn.StreamTail;
import java.util.List;

/**
 * The tails of one causal conv of several decode streams as one, row r stream r: {@link #get}
 * stacks their values {@code [1, ...]} into {@code [B, ...]}, {@link #set} hands each row back in
 * one split. A stream on its first call has no tail yet and gets zeros: a causal decoder conv (zero
 * padding, never replicate) pads a first call with exactly {@code k_eff - 1} zeros, the length
 * every later tail has, so a new stream joins the batched pass and computes what it would alone.
 */
final class RowTails extends StreamTail {
    private final List<StreamTail> rows;

    RowTails(List<StreamTail> rows) {
        super(null);
        this.rows = rows;
    }

    @Override
    public NDArray get() {
        NDArray like = null;
        for (StreamTail row : rows) {
            if (row.get() != null) {
                like = row.get();
                break;
            }
        }
        if (like == null) {
            return null; // every stream is on its first call: the layer pads as usual
        }
        NDList values = new NDList(rows.size());
        NDArray zeros = null;
        for (StreamTail row : rows) {
            NDArray v = row.get();
            if (v == null) {
                zeros = zeros == null ? like.zerosLike() : zeros;
                v = zeros;
            }
            values.add(v);
        }
        return NDArrays.concat(values, 0); // [B, ...]
    }

    @Override
    public void set(NDArray next) {
        if (next.getShape().get(0) != rows.size()) {
            throw new IllegalArgumentException(
                    "tail has " + next.getShape().get(0) + " rows for " + rows.size() + " streams");
        }
        // views of next: each keeps next (a small copy the layer made for its tail) alive
        NDList parts = next.split(rows.size(), 0); // B x [1, ...]
        for (int r = 0; r < rows.size(); r++) {
            rows.get(r).set(parts.get(r));
        }
    }
}
