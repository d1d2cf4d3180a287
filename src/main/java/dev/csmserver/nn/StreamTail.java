package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * One piece of streaming state carried between calls of a causal layer: the input samples a conv
 * has not consumed yet, or the overlap a transposed conv still owes its next output. With an owner
 * (a request's manager) each new value is moved out of the caller's step scope and the previous one
 * freed; without one (offline use) values simply stay in the caller's scope.
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
}
