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
    private final List<StreamState> rows; // stacked or grouped: one stream per batch row; else null
    private final boolean grouped; // rows' tails kept stacked in owner between calls
    private int cursor;

    StreamState(NDManager owner, MimiConfig config) {
        this.owner = owner;
        this.transformer = new TransformerState(owner, config);
        this.rows = null;
        this.grouped = false;
    }

    private StreamState(List<StreamState> rows, NDManager owner) {
        this.owner = owner;
        this.transformer = null;
        this.rows = List.copyOf(rows);
        this.grouped = owner != null;
        if (grouped) {
            this.rows.forEach(StreamState::rewind); // its tails are taken in the rows' order
        }
    }

    /**
     * The streams' next conv tails, row r from {@code rows.get(r)}, each stream's cursor going on
     * from where it is ({@link RowTails}: a stream on its first call gets zero tails). It has no
     * transformer: attention windows stay per stream. One stream is itself.
     */
    static StreamState stacked(List<StreamState> rows) {
        return rows.size() == 1 ? rows.get(0) : new StreamState(rows, null);
    }

    /**
     * Several streams that decode together call after call: each conv's tails, row r stream r, are
     * taken from the streams on the first call (as {@link #stacked}) and then kept stacked in
     * {@code owner} from call to call, so a step neither stacks nor splits them per stream (the
     * host work of a step stays flat in the number of streams). {@link #handBack} gives each stream
     * its rows back when the group ends.
     */
    static StreamState grouped(List<StreamState> rows, NDManager owner) {
        return new StreamState(rows, owner);
    }

    /** A grouped state's tails, each split back to its streams (the group is ending). */
    void handBack() {
        for (StreamTail t : tails) {
            ((GroupTail) t).handBack();
        }
    }

    /** The next conv's tail (created empty the first time round). */
    StreamTail nextTail() {
        if (rows != null && !grouped) {
            return rowTails();
        }
        if (cursor == tails.size()) {
            tails.add(grouped ? new GroupTail(owner, rowTails()) : new StreamTail(owner));
        }
        return tails.get(cursor++);
    }

    private RowTails rowTails() {
        List<StreamTail> next = new ArrayList<>(rows.size());
        for (StreamState row : rows) {
            next.add(row.nextTail());
        }
        return new RowTails(next);
    }

    /** Starts a new call: the first conv gets the first tail again. */
    void rewind() {
        if (rows != null && !grouped) {
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
