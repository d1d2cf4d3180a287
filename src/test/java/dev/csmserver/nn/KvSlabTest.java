package dev.csmserver.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.IValue;
import dev.csmserver.pipeline.DjlRuntime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The slab attention of the CUDA-shaped step ({@link SlabRows} over a {@link KvSlab}): all rows in
 * one call give what each row's own attention over its filled prefix gives ({@link ScriptedRows},
 * the exact per-row loop), a row's bits do not depend on the rows beside it or on padding, the new
 * keys and values land in each request's slot, and slots come back, grow and start zeroed.
 */
class KvSlabTest {
    private static final LlamaConfig CONFIG =
            new LlamaConfig(1, 64, 4, 2, 16, 128, 1e-5, RopeScaling.llama3(500_000), 64);
    private static final int CAPACITY = 64;

    @BeforeAll
    static void init() {
        DjlRuntime.init();
    }

    @Test
    void allRowsAtOnceMatchEachRowsOwnAttentionAndIgnoreTheirNeighbours() {
        int[] filled = {0, 5, 17, 63};
        float[][] together = step(filled, new int[] {0, 1, 2, 3}, 6); // 2 padding rows
        for (int r = 0; r < filled.length; r++) {
            float[] alone = step(filled, new int[] {r}, 1)[0];
            assertArrayEquals(together[r], alone, "row at " + filled[r] + " beside others");
        }
        float[][] reordered = step(filled, new int[] {3, 1, 0, 2}, 4);
        assertArrayEquals(together[3], reordered[0], "row order");
        assertArrayEquals(together[0], reordered[2], "row order");
    }

    /**
     * Rows {@code which} of requests filled to {@code filled} (keys and values drawn per request),
     * padded to {@code padded} rows: each row's attention output, checked against the per-row
     * script and its slot's cache against the per-row script's cache.
     */
    private static float[][] step(int[] filled, int[] which, int padded) {
        int width = (CONFIG.numHeads() + 2 * CONFIG.numKvHeads()) * CONFIG.headDim();
        int kvh = CONFIG.numKvHeads();
        int hd = CONFIG.headDim();
        try (NDManager m = NDManager.newBaseManager();
                IValue dims = IValue.listFrom(CONFIG.numHeads(), kvh, hd)) {
            Llama3Rope rope = Llama3Rope.create(m, CONFIG.rope(), hd, CAPACITY + 1);
            KvSlab slab = new KvSlab(m, 1, kvh, CAPACITY, hd);
            List<KvCache> slotCaches = new ArrayList<>();
            List<KvCache> own = new ArrayList<>();
            long[] slots = new long[padded];
            long[] positions = new long[padded];
            int[] fill = new int[which.length];
            float[] qkv = new float[padded * width];
            for (int i = 0; i < which.length; i++) {
                int r = which[i];
                KvSlab.Slot slot = slab.acquire(CAPACITY);
                KvCache mine = new KvCache(m, 1, kvh, CAPACITY, hd);
                if (filled[r] > 0) {
                    NDArray k = m.create(RowBlocks.pseudoRandom(kvh * filled[r] * hd, 10 + r));
                    NDArray v = m.create(RowBlocks.pseudoRandom(kvh * filled[r] * hd, 20 + r));
                    Shape s = new Shape(1, kvh, filled[r], hd);
                    slot.caches()[0].append(k.reshape(s), v.reshape(s));
                    mine.append(k.reshape(s), v.reshape(s));
                }
                slotCaches.add(slot.caches()[0]);
                own.add(mine);
                slots[i] = slot.index();
                positions[i] = filled[r];
                fill[i] = filled[r];
                float[] row = RowBlocks.pseudoRandom(width, 30 + r);
                System.arraycopy(row, 0, qkv, i * width, width);
            }
            float[][] out = new float[which.length][];
            try (NDScope scope = new NDScope()) {
                NDArray x = m.create(qkv, new Shape(padded, 1, width));
                NDArray[] cosSin = rope.tables(positions, padded, 1);
                float[] slabOut;
                synchronized (slab.lock()) {
                    try (SlabRows rows =
                            new SlabRows(slab, cosSin, m.create(slots), m.create(positions))) {
                        slabOut = rows.attend(0, x, rope.swap(), dims, scale()).toFloatArray();
                    }
                }
                float[] perRow;
                try (ScriptedRows rows = new ScriptedRows(cosSin, fill)) {
                    perRow = rows.attend(x, rope.swap(), dims, scale(), own).toFloatArray();
                }
                int o = CONFIG.numHeads() * hd;
                for (int i = 0; i < which.length; i++) {
                    out[i] = java.util.Arrays.copyOfRange(slabOut, i * o, (i + 1) * o);
                    float[] expected = java.util.Arrays.copyOfRange(perRow, i * o, (i + 1) * o);
                    for (int j = 0; j < o; j++) {
                        assertEquals(expected[j], out[i][j], 1e-5, "row " + i + " value " + j);
                    }
                    NDIndex through = new NDIndex(":, :, 0:" + (fill[i] + 1));
                    assertArrayEquals(
                            own.get(i).storage()[0].get(through).toFloatArray(),
                            slotCaches.get(i).storage()[0].get(through).toFloatArray(),
                            "keys in the slot");
                    assertArrayEquals(
                            own.get(i).storage()[1].get(through).toFloatArray(),
                            slotCaches.get(i).storage()[1].get(through).toFloatArray(),
                            "values in the slot");
                }
            }
            return out;
        }
    }

    private static double scale() {
        return (float) (1.0 / Math.sqrt(CONFIG.headDim()));
    }

    @Test
    void aFullSlabGrowsKeepingEveryLiveSlotsRows() {
        try (NDManager m = NDManager.newBaseManager()) {
            KvSlab slab = new KvSlab(m, 2, 2, 8, 4);
            slab.reserve(1);
            assertEquals(1, slab.size());
            KvSlab.Slot a = slab.acquire(8);
            NDArray k = m.create(RowBlocks.pseudoRandom(2 * 3 * 4, 1)).reshape(1, 2, 3, 4);
            NDArray v = m.create(RowBlocks.pseudoRandom(2 * 3 * 4, 2)).reshape(1, 2, 3, 4);
            a.caches()[1].append(k, v);
            KvSlab.Slot b = slab.acquire(5); // no free slot: the slab doubles
            KvSlab.Slot c = slab.acquire(5);
            assertTrue(slab.size() >= 3, "slots after growing: " + slab.size());
            assertEquals(3, slab.inUse());
            assertArrayEquals(k.toFloatArray(), a.caches()[1].keys().toFloatArray());
            assertArrayEquals(v.toFloatArray(), a.caches()[1].values().toFloatArray());
            assertEquals(5, b.caches()[0].capacity());
            b.release();
            c.release();
            a.release();
            a.release(); // idempotent
            assertEquals(0, slab.inUse());
        }
    }

    @Test
    void growingFreesTheOldStoragesScriptArgumentsAndClosingFreesTheLast() {
        IValue[] last;
        try (NDManager m = NDManager.newBaseManager()) {
            KvSlab slab = new KvSlab(m, 2, 2, 8, 4);
            slab.reserve(1);
            IValue[] first = slab.whole();
            slab.reserve(3); // new storage
            last = slab.whole();
            assertTrue(first[0].isReleased() && first[1].isReleased(), "the old storage's");
            assertFalse(last[0].isReleased() || last[1].isReleased(), "the live storage's");
            assertEquals(new Shape(2, 4, 2, 8, 4), last[0].toTensor((PtNDManager) m).getShape());
            assertFalse(slab.released());
        }
        assertTrue(last[0].isReleased() && last[1].isReleased(), "freed with the model");
    }

    @Test
    void aSlotStartsZeroedAndItsViewsGoBackWithIt() {
        try (NDManager m = NDManager.newBaseManager()) {
            KvSlab slab = new KvSlab(m, 2, 2, 8, 4);
            slab.reserve(2);
            KvSlab.Slot a = slab.acquire(8);
            int held = slab.storageArrays();
            NDArray k = m.create(RowBlocks.pseudoRandom(2 * 8 * 4, 1)).reshape(1, 2, 8, 4);
            a.caches()[0].append(k, k);
            a.release();
            assertEquals(held - 4, slab.storageArrays(), "a released slot's 2 x 2 views");
            for (int i = 0; i < 20; i++) {
                KvSlab.Slot again = slab.acquire(8);
                for (NDArray s : again.caches()[0].storage()) {
                    for (float f : s.toFloatArray()) {
                        assertEquals(0f, f, "a fresh slot holds nothing of the last request");
                    }
                }
                again.release();
            }
            assertEquals(held - 4, slab.storageArrays(), "views do not pile up");
            assertThrows(IllegalArgumentException.class, () -> slab.acquire(9));
            assertEquals(0, slab.inUse(), "a refused request holds no slot");
        }
    }
}
