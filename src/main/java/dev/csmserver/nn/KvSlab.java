package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.IValue;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The backbone's keys and values of every running request in one place, for the CUDA-shaped step
 * ({@link SlabRows}): per layer {@code [N, KVH, C, hd]} float32 with C the model's whole context,
 * one slot per request. A step then attends all its rows in one batched, masked product per layer
 * (each row over the full C keys of its own slot, the positions after its own masked out), so the
 * shapes a row sees never depend on the rows beside it and no per-row loop runs.
 *
 * <p>Slot 0 is scratch: a step's padding rows write and read there. A request {@link #acquire}s a
 * slot when it is created and {@link Slot#release}s it when it closes; its slot is zeroed when
 * taken, so its bits never depend on what ran there before. When every slot is taken the slab
 * doubles (a copy into new storage; the live slots' {@link KvCache} views are re-pointed), so a
 * request never fails for want of a slot; {@link #reserve} sizes it up front (the batch limit) so a
 * server never pays that copy. Storage lives in its own sub-manager of the model's manager (freed
 * with the model). Thread-safe: acquire, release and growth hold this slab's monitor, and so must
 * every use of a slot's storage ({@link #lock}), so storage never moves under a running pass.
 */
public final class KvSlab {
    private final NDManager parent;
    private final int layers;
    private final int kvHeads;
    private final int capacity;
    private final int headDim;
    private final Map<Integer, KvCache[]> live = new HashMap<>();
    private final BitSet taken = new BitSet();
    private NDManager storage;
    private NDArray keys; // [L, N, KVH, C, hd] float32
    private NDArray values;
    private IValue[] whole; // keys, values [L, N, KVH, C, hd] as script arguments
    private int slots; // N, including the scratch slot 0

    /** A slab of layers x [N, kvHeads, capacity, headDim], allocated on first use. */
    public KvSlab(NDManager parent, int layers, int kvHeads, int capacity, int headDim) {
        this.parent = parent;
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.capacity = capacity;
        this.headDim = headDim;
    }

    /** The monitor every pass that reads or writes slot storage holds. */
    public Object lock() {
        return this;
    }

    /** Grows the slab so that {@code requests} slots (plus scratch) exist, none of them moved. */
    public synchronized void reserve(int requests) {
        if (requests + 1 > slots) {
            grow(requests + 1);
        }
    }

    /**
     * A zeroed slot for one request whose caches hold {@code rows} positions (at most the slab's
     * context): per layer a {@link KvCache} viewing the slot.
     */
    public synchronized Slot acquire(int rows) {
        if (rows < 1 || rows > capacity) {
            throw new IllegalArgumentException("capacity " + rows + " outside 1.." + capacity);
        }
        int slot = taken.nextClearBit(1);
        if (slot >= slots) {
            grow(Math.max(2, 2 * (slots - 1) + 1));
        }
        taken.set(slot);
        KvCache[] caches = new KvCache[layers];
        live.put(slot, caches);
        try {
            NDIndex at = new NDIndex().addAllDim().addIndices(slot); // [L, KVH, C, hd]
            try (NDScope scope = new NDScope()) { // the fill's scalars are temporaries
                keys.set(at, 0f);
                values.set(at, 0f);
            }
            for (int l = 0; l < layers; l++) {
                NDArray[] kv = views(l, slot);
                caches[l] = new KvCache(kv[0], kv[1], rows);
            }
            return new Slot(slot, caches);
        } catch (RuntimeException | Error e) {
            release(slot);
            throw e;
        }
    }

    /** Slots taken by requests now (scratch not counted). */
    public synchronized int inUse() {
        return taken.cardinality();
    }

    /** Slots that exist now, scratch not counted. */
    public synchronized int size() {
        return Math.max(0, slots - 1);
    }

    /** Arrays the slab's storage manager holds now (tests: views do not pile up). */
    synchronized int storageArrays() {
        return storage == null
                ? 0
                : ((ai.djl.ndarray.BaseNDManager) storage).getManagedArrays().size();
    }

    /**
     * The script arguments of the storage now, keys and values {@code [L, N, KVH, C, hd]}; growth
     * replaces them (and frees these), so a pass takes them under {@link #lock}.
     */
    synchronized IValue[] whole() {
        return whole.clone();
    }

    /**
     * Whether the storage's script arguments are freed (the model's manager closed): leak tests.
     */
    public synchronized boolean released() {
        return whole == null || (whole[0].isReleased() && whole[1].isReleased());
    }

    /** Counts one row written by a step in every layer cache of each request. */
    public static void advance(List<KvCache[]> caches) {
        for (KvCache[] c : caches) {
            for (KvCache layer : c) {
                layer.advance(1);
            }
        }
    }

    private synchronized void release(int slot) {
        if (taken.get(slot)) {
            taken.clear(slot);
            for (KvCache c : live.remove(slot)) {
                for (NDArray view : c == null ? new NDArray[0] : c.storage()) {
                    view.close(); // the slot's views, not the slab's storage
                }
            }
        }
    }

    /** New storage of {@code n} slots holding the old slots' contents; live caches re-pointed. */
    private void grow(int n) {
        NDManager next = parent.newSubManager();
        try {
            Shape shape = new Shape(layers, n, kvHeads, capacity, headDim);
            NDArray k = Nd.keep(next.zeros(shape, DataType.FLOAT32), next); // [L, N, KVH, C, hd]
            NDArray v = Nd.keep(next.zeros(shape, DataType.FLOAT32), next);
            if (slots > 0) {
                NDIndex old = new NDIndex().addAllDim().addSliceDim(0, slots);
                k.set(old, keys);
                v.set(old, values);
            }
            NDManager previous = storage;
            IValue[] args = {IValue.from((PtNDArray) k), IValue.from((PtNDArray) v)};
            // they reference the storage: freed with it (on the next growth or the model's close)
            next.attachInternal("slab-args-" + System.identityHashCode(args[0]), args);
            storage = next;
            keys = k;
            values = v;
            slots = n;
            whole = args;
            for (Map.Entry<Integer, KvCache[]> e : live.entrySet()) {
                for (int l = 0; l < layers && e.getValue()[l] != null; l++) {
                    NDArray[] kv = views(l, e.getKey());
                    e.getValue()[l].rebind(kv[0], kv[1]);
                }
            }
            if (previous != null) {
                previous.close(); // views taken in a pass's scope keep their storage alive
            }
        } catch (RuntimeException | Error e) {
            if (storage != next) {
                next.close();
            }
            throw e;
        }
    }

    /** Layer {@code l}'s keys and values of {@code slot}: views {@code [1, KVH, C, hd]}. */
    private NDArray[] views(int l, int slot) {
        NDIndex at = new NDIndex().addIndices(l).addSliceDim(slot, slot + 1);
        return new NDArray[] {Nd.keep(keys.get(at), storage), Nd.keep(values.get(at), storage)};
    }

    /** One request's slot: its per-layer caches; {@link #release} hands it back (idempotent). */
    public final class Slot {
        private final int index;
        private final KvCache[] caches;
        private boolean released;

        private Slot(int index, KvCache[] caches) {
            this.index = index;
            this.caches = caches;
        }

        /** The slot's row in the slab (≥ 1). */
        public int index() {
            return index;
        }

        public KvCache[] caches() {
            return caches;
        }

        public void release() {
            synchronized (KvSlab.this) {
                if (!released) {
                    released = true;
                    KvSlab.this.release(index);
                }
            }
        }
    }
}
