package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Native-memory helpers shared by every layer. Lifetimes: weights in one long-lived manager;
 * per-request state in a sub-manager; per-step temporaries inside an {@link NDScope}, with what
 * must survive the step handed to {@link #keep}.
 */
public final class Nd {
    private Nd() {}

    /**
     * Moves {@code array} out of the current thread's scope into {@code owner}, so it survives the
     * scope's close (KV cache rows, codes, stream tails).
     */
    public static NDArray keep(NDArray array, NDManager owner) {
        NDScope.unregister(array);
        array.attach(owner);
        return array;
    }

    /**
     * Runs {@code step} in a nested scope that frees its temporaries at once and hands only the
     * result to the caller's scope: a 16-layer prompt then holds one layer's activations at a time
     * (not all of them until the frame ends), and freed memory is reused while still hot.
     */
    public static NDArray scoped(Supplier<NDArray> step) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            out = step.get();
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /** Fails with the tensor's actual shape when it does not match (-1 matches any size). */
    public static NDArray checkShape(String what, NDArray array, long... expected) {
        long[] actual = array.getShape().getShape();
        boolean ok = actual.length == expected.length;
        for (int i = 0; ok && i < expected.length; i++) {
            ok = expected[i] < 0 || expected[i] == actual[i];
        }
        if (!ok) {
            throw new IllegalArgumentException(
                    what
                            + " has shape "
                            + Arrays.toString(actual)
                            + ", expected "
                            + Arrays.toString(expected));
        }
        return array;
    }
}
