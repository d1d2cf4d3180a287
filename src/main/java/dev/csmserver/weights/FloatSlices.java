package dev.csmserver.weights;

import java.util.function.Supplier;

/**
 * A tensor's row-major float32 values produced in order, a slice at a time, so a multi-GB tensor
 * (the 1 GB text embedding) reaches libtorch through a small staging buffer instead of a
 * whole-tensor Java array plus a whole-tensor direct buffer.
 */
@FunctionalInterface
public interface FloatSlices {
    /** Calls {@code sink} with consecutive runs of at most {@code maxFloats} values, in order. */
    void emit(int maxFloats, Sink sink);

    /** Receives {@code values[offset, offset + count)}; the array may be reused after the call. */
    @FunctionalInterface
    interface Sink {
        void accept(float[] values, int offset, int count);
    }

    /** Slices of an array made at once by {@code loader} (small or derived tensors). */
    static FloatSlices whole(Supplier<float[]> loader) {
        return (max, sink) -> {
            float[] all = loader.get();
            for (int at = 0; at < all.length; at += max) {
                sink.accept(all, at, Math.min(max, all.length - at));
            }
        };
    }

    /** The values of {@code parts} one after the other (fused matrices). */
    static FloatSlices concat(HostTensor... parts) {
        return (max, sink) -> {
            for (HostTensor p : parts) {
                p.slices().emit(max, sink);
            }
        };
    }
}
