package dev.csmserver.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.csmserver.nn.StreamTail;

/**
 * One conv's tails of a group of streams ({@link StreamState#grouped}), kept stacked {@code [B,
 * ...]} between calls: the first {@link #get} stacks the streams' own tails ({@link RowTails},
 * zeros for a stream on its first call), later calls read and replace the stacked value, and {@link
 * #handBack} splits it back to the streams, row r to stream r, when the group ends.
 */
final class GroupTail extends StreamTail {
    private final RowTails rows;
    private boolean taken; // whether the stacked value (not the streams' own) is current

    GroupTail(NDManager owner, RowTails rows) {
        super(owner);
        this.rows = rows;
    }

    @Override
    public NDArray get() {
        if (!taken) {
            taken = true;
            NDArray stacked = rows.get(); // [B, ...], or null: every stream on its first call
            if (stacked != null) {
                super.set(stacked);
            }
        }
        return super.get();
    }

    @Override
    public void set(NDArray next) {
        taken = true;
        super.set(next);
    }

    /** Each stream's row of the current value back to that stream. */
    void handBack() {
        NDArray value = super.get();
        if (taken && value != null) {
            rows.set(value);
        }
    }
}
