package dev.csmserver.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.csmserver.nn.Nd;

/**
 * The keys and values of one Mimi transformer layer across calls, in preallocated buffers {@code
 * [B, H, capacity, Dh]}: new steps are written in place and attention reads a view of the last
 * {@code window} old steps plus the new ones. When a call does not fit, the last {@code window}
 * steps move to the front (once per {@value #SLACK} streamed steps), so a stream neither
 * concatenates nor copies its whole window on every frame, which on a real Mimi cost 8 MB of fresh
 * memory per frame.
 */
final class KvWindow {
    /** Free steps a buffer is given beyond the window and the call that (re)allocates it. */
    static final int SLACK = 128;

    private final NDManager owner; // null: buffers stay in the caller's scope (one-shot use)
    private final int window;
    private NDArray keys;
    private NDArray values;
    private int capacity;
    private int filled;

    /**
     * @param window old steps a later query may still see ({@code context - 1})
     */
    KvWindow(NDManager owner, int window) {
        this.owner = owner;
        this.window = window;
    }

    /** Old steps the next {@link #append} returns before the new ones. */
    int cachedSteps() {
        return Math.min(filled, window);
    }

    /**
     * Appends {@code k, v [B, H, T, Dh]} and returns views {@code [B, H, cachedSteps + T, Dh]} of
     * the keys and values the new queries attend over (valid until the next call).
     */
    NDArray[] append(NDArray k, NDArray v) {
        int t = (int) k.getShape().get(2);
        int old = cachedSteps();
        makeRoom(k.getShape(), k.getManager(), t, old);
        NDIndex at = steps(filled, filled + t);
        keys.set(at, k);
        values.set(at, v);
        filled += t;
        NDIndex visible = steps(filled - t - old, filled);
        return new NDArray[] {keys.get(visible), values.get(visible)};
    }

    /**
     * Makes room for {@code t} new steps of rows shaped {@code row [B, H, t, Dh]} without writing
     * them (a script writes them in place, see {@link MimiStepScript#transformer}) and returns the
     * step they go to; {@link #cachedSteps} old steps lie right before it. {@code scratch}: where
     * the buffers go when this window has no owner. Call {@link #advance} once they are written.
     */
    int reserve(Shape row, NDManager scratch, int t) {
        makeRoom(row, scratch, t, cachedSteps());
        return filled;
    }

    /** Counts the {@code t} steps written at {@link #reserve}'s position. */
    void advance(int t) {
        if (filled + t > capacity) {
            throw new IllegalStateException(filled + " + " + t + " steps > capacity " + capacity);
        }
        filled += t;
    }

    /** The key buffer {@code [B, H, capacity, Dh]} (after {@link #reserve}). */
    NDArray keys() {
        return keys;
    }

    /** The value buffer {@code [B, H, capacity, Dh]} (after {@link #reserve}). */
    NDArray values() {
        return values;
    }

    /** Ensures {@code t} free steps after the {@code old} steps still needed, moving or growing. */
    private void makeRoom(Shape s, NDManager scratch, int t, int old) {
        if (keys != null && filled + t <= capacity) {
            return;
        }
        NDIndex tail = steps(filled - old, filled);
        if (keys != null && old + t <= capacity) {
            NDIndex front = steps(0, old);
            if (old > 0) {
                keys.set(front, keys.get(tail).duplicate()); // source and target may overlap
                values.set(front, values.get(tail).duplicate());
            }
            filled = old;
            return;
        }
        int grown = old + Math.max(t, SLACK);
        Shape shape = new Shape(s.get(0), s.get(1), grown, s.get(3)); // [B, H, capacity, Dh]
        NDManager m = owner == null ? scratch : owner;
        NDArray newKeys = m.zeros(shape, DataType.FLOAT32);
        NDArray newValues = m.zeros(shape, DataType.FLOAT32);
        if (owner != null) {
            Nd.keep(newKeys, owner);
            Nd.keep(newValues, owner);
        }
        if (old > 0) {
            NDIndex front = steps(0, old);
            newKeys.set(front, keys.get(tail));
            newValues.set(front, values.get(tail));
        }
        if (owner != null && keys != null) {
            keys.close();
            values.close();
        }
        keys = newKeys;
        values = newValues;
        capacity = grown;
        filled = old;
    }

    private static NDIndex steps(long from, long to) {
        return new NDIndex().addAllDim().addAllDim().addSliceDim(from, to);
    }
}
