package dev.csmserver.codec;

import ai.djl.ndarray.NDManager;
import dev.csmserver.nn.StreamTail;
import java.util.ArrayList;
import java.util.List;

/**
 * The carried state of one decode stream: a tail per causal conv, visited in the same order on
 * every call (a cursor hands them out), plus the decoder transformer's key/value window and
 * position. An offline call uses a fresh one with no owner, which is what makes offline decode and
 * streaming decode the same computation. {@link #stacked} joins several streams' conv tails for one
 * batched pass of the decoder.
 */
final class StreamState {
    private final NDManager owner;
    private final List<StreamTail> tails = new ArrayList<>();
    private final TransformerState transformer;
    private final List<StreamState> rows; // stacked: one stream per batch row; else null
    private int cursor;

    StreamState(NDManager owner, MimiConfig config) {
        this.owner = owner;
        this.transformer = new TransformerState(owner, config);
        this.rows = null;
    }

    private StreamState(List<StreamState> rows) {
        this.owner = null;
        this.transformer = null;
        this.rows = List.copyOf(rows);
    }

    /**
     * The streams' next conv tails, row r from {@code rows.get(r)}, each stream's cursor going on
     * from where it is ({@link RowTails}: a stream on its first call gets zero tails). It has no
     * transformer: attention windows stay per stream. One stream is itself.
     */
    static StreamState stacked(List<StreamState> rows) {
        return rows.size() == 1 ? rows.get(0) : new StreamState(rows);
    }

    /** The next conv's tail (created empty the first time round). */
    StreamTail nextTail() {
        if (rows != null) {
            List<StreamTail> next = new ArrayList<>(rows.size());
            for (StreamState row : rows) {
                next.add(row.nextTail());
            }
            return new RowTails(next);
        }
        if (cursor == tails.size()) {
            tails.add(new StreamTail(owner));
        }
        return tails.get(cursor++);
    }

    /** Starts a new call: the first conv gets the first tail again. */
    void rewind() {
        if (rows != null) {
            rows.forEach(StreamState::rewind);
        }
        cursor = 0;
    }

    TransformerState transformer() {
        if (rows != null) {
            throw new IllegalStateException("stacked streams keep their own attention windows");
        }
        return transformer;
    }
}
