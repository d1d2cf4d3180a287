package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Preallocated keys and values of one attention layer for {@code B} sequences that advance
 * together: {@code [B, KVH, capacity, D]} float32, only the KV heads (not torchtune's 4x expanded
 * copy). New rows are written in place at the fill pointer; attention reads the filled prefix only.
 * The storage is either the cache's own or a view of one slot of a model-wide {@link KvSlab} (the
 * CUDA-shaped path), which re-points it ({@link #rebind}) when the slab grows.
 */
public final class KvCache {
    private NDArray keys;
    private NDArray values;
    private final int capacity;
    private int filled;

    /**
     * Allocates zeroed storage in {@code manager} (a request or frame manager, never the weights').
     */
    public KvCache(NDManager manager, int batch, int kvHeads, int capacity, int headDim) {
        Shape shape = new Shape(batch, kvHeads, capacity, headDim);
        this.keys = manager.zeros(shape, DataType.FLOAT32); // [B, KVH, cap, D] float32
        this.values = manager.zeros(shape, DataType.FLOAT32);
        this.capacity = capacity;
    }

    /**
     * A cache over storage it does not own: {@code keys, values [1, KVH, C, D]} float32 views (C at
     * least {@code capacity}) of a {@link KvSlab} slot.
     */
    KvCache(NDArray keys, NDArray values, int capacity) {
        if (keys.getShape().get(2) < capacity) {
            throw new IllegalArgumentException(
                    "storage " + keys.getShape() + " shorter than capacity " + capacity);
        }
        this.keys = keys;
        this.values = values;
        this.capacity = capacity;
    }

    /** Points this cache at new storage holding the same contents (a grown {@link KvSlab}). */
    void rebind(NDArray keys, NDArray values) {
        this.keys = keys;
        this.values = values;
    }

    /** Writes {@code k, v [B, KVH, S, D]} at the fill pointer and advances it by S. */
    public void append(NDArray k, NDArray v) {
        int s = (int) k.getShape().get(2);
        if (filled + s > capacity) {
            throw new IllegalStateException(
                    "KV cache full: " + filled + " + " + s + " > " + capacity);
        }
        NDIndex at = new NDIndex().addAllDim().addAllDim().addSliceDim(filled, filled + s);
        keys.set(at, k);
        values.set(at, v);
        filled += s;
    }

    /** Counts {@code rows} rows written in place by a scripted step ({@link ScriptedRows}). */
    void advance(int rows) {
        if (filled + rows > capacity) {
            throw new IllegalStateException(
                    "KV cache full: " + filled + " + " + rows + " > " + capacity);
        }
        filled += rows;
    }

    /** Keys of the filled prefix, a view {@code [B, KVH, filled, D]}. */
    public NDArray keys() {
        return keys.get(prefix());
    }

    /** Values of the filled prefix, a view {@code [B, KVH, filled, D]}. */
    public NDArray values() {
        return values.get(prefix());
    }

    private NDIndex prefix() {
        return new NDIndex().addAllDim().addAllDim().addSliceDim(0, filled);
    }

    public int filled() {
        return filled;
    }

    public int capacity() {
        return capacity;
    }

    /** Sequences this cache holds (its first dimension). */
    public long batch() {
        return keys.getShape().get(0);
    }

    /** Forgets the contents (the storage is reused). */
    public void reset() {
        filled = 0;
    }

    /** The two storage arrays, for ownership transfers ({@code Nd.keep}). */
    public NDArray[] storage() {
        return new NDArray[] {keys, values};
    }
}
