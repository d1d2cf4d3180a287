package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.List;

/**
 * One piece of streaming state carried between calls of a causal layer: the input samples a conv
 * has not consumed yet, or the overlap a transposed conv still owes its next output. With an owner
 * (a request's manager) each new value is moved out of the caller's step scope and the previous one
 * freed; without one (offline use) values simply stay in the caller's scope. {@link #stacked} lets
 * one call of a layer carry the tails of several streams at once, one batch row each.
 */
public class StreamTail {
    private final NDManager owner;
    private NDArray value;

    /**
     * @param owner the request manager the tail lives in, or {@code null} for a one-shot call
     */
    public StreamTail(NDManager owner) {
        this.owner = owner;
    }

    /**
     * The tails of several streams as one: {@link #get} stacks their values {@code [1, ...]} into
     * batch rows {@code [B, ...]}, {@link #set} hands row r back to stream r. The streams must be
     * at the same point (all carry a value, or none does).
     */
    public static StreamTail stacked(List<StreamTail> rows) {
        return new Stacked(rows);
    }

    /** The carried value, or {@code null} before the first call. */
    public NDArray get() {
        return value;
    }

    /**
     * Replaces the carried value with {@code next} (which must not be a view of a step temporary).
     */
    public void set(NDArray next) {
        NDArray previous = value;
        value = owner == null ? next : Nd.keep(next, owner);
        if (owner != null && previous != null && previous != next) {
            previous.close();
        }
    }

    private static final class Stacked extends StreamTail {
        private final List<StreamTail> rows;

        Stacked(List<StreamTail> rows) {
            super(null);
            this.rows = rows;
        }

        @Override
        public NDArray get() {
            NDList values = new NDList(rows.size());
            for (StreamTail row : rows) {
                if (row.get() != null) {
                    values.add(row.get());
                }
            }
            if (values.isEmpty()) {
                return null;
            }
            if (values.size() != rows.size()) {
                throw new IllegalStateException(
                        "stacked streams are at different points: "
                                + values.size()
                                + " of "
                                + rows.size()
                                + " carry a tail");
            }
            return values.size() == 1 ? values.get(0) : NDArrays.concat(values, 0); // [B, ...]
        }

        @Override
        public void set(NDArray next) {
            if (next.getShape().get(0) != rows.size()) {
                throw new IllegalArgumentException(
                        "tail has "
                                + next.getShape().get(0)
                                + " rows for "
                                + rows.size()
                                + " streams");
            }
            for (int r = 0; r < rows.size(); r++) {
                rows.get(r)
                        .set(next.get(new NDIndex().addSliceDim(r, r + 1)).duplicate()); // [1, ...]
            }
        }
    }
}
