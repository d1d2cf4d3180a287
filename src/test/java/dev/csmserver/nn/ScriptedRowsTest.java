package dev.csmserver.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.csmserver.pipeline.DjlRuntime;
import dev.csmserver.weights.HostTensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scripted step attention ({@link ScriptedRows}) against {@link GqaAttention}'s host loop: rows
 * of requests at different positions, each with its own cache, plus padding rows, must give the
 * same bits and leave the same cache contents, on both compute paths' weight types.
 */
class ScriptedRowsTest {
    private static final LlamaConfig CONFIG =
            new LlamaConfig(1, 64, 4, 2, 16, 128, 1e-5, RopeScaling.llama3(500_000), 64);

    @BeforeAll
    static void init() {
        DjlRuntime.init();
    }

    @Test
    void scriptedRowsMatchTheHostLoopBitForBitWithPaddingRows() {
        for (DataType type : List.of(DataType.FLOAT32, DataType.FLOAT16)) {
            compare(type, new int[] {0, 5, 17}, 5); // 3 requests, 2 padding rows
            compare(type, new int[] {9}, 1);
        }
    }

    private static void compare(DataType type, int[] filled, int paddedRows) {
        try (NDManager m = NDManager.newBaseManager()) {
            Llama3Rope rope = Llama3Rope.create(m, CONFIG.rope(), CONFIG.headDim(), 64);
            GqaAttention attention =
                    new GqaAttention(
                            Linear.load(random(CONFIG.qDim() + 2 * CONFIG.kvDim(), 64, 1), m, type),
                            Linear.load(random(64, CONFIG.qDim(), 2), m, type),
                            rope,
                            CONFIG);
            List<KvCache> host = caches(m, filled, 3);
            List<KvCache> scripted = caches(m, filled, 3);
            long[] positions = new long[paddedRows];
            for (int r = 0; r < filled.length; r++) {
                positions[r] = filled[r];
            }
            try (NDScope scope = new NDScope()) {
                NDArray x =
                        m.create(
                                RowBlocks.pseudoRandom(paddedRows * 64, 4),
                                new Shape(paddedRows, 1, 64));
                NDArray[] cosSin = rope.tables(positions, paddedRows, 1);
                float[] expected = attention.forward(x, cosSin, host).toFloatArray();
                float[] actual;
                try (ScriptedRows rows = new ScriptedRows(cosSin, filled)) {
                    actual = attention.step(x, rows, scripted).toFloatArray();
                }
                assertArrayEquals(
                        expected, actual, type + " rows at " + java.util.Arrays.toString(filled));
                for (int r = 0; r < filled.length; r++) {
                    assertEquals(host.get(r).filled(), scripted.get(r).filled());
                    assertArrayEquals(
                            host.get(r).keys().toFloatArray(),
                            scripted.get(r).keys().toFloatArray());
                    assertArrayEquals(
                            host.get(r).values().toFloatArray(),
                            scripted.get(r).values().toFloatArray());
                }
            }
        }
    }

    /** Caches of batch 1 filled with {@code filled[r]} pseudo-random rows each. */
    private static List<KvCache> caches(NDManager m, int[] filled, long seed) {
        List<KvCache> out = new ArrayList<>();
        for (int r = 0; r < filled.length; r++) {
            KvCache c = new KvCache(m, 1, CONFIG.numKvHeads(), 32, CONFIG.headDim());
            if (filled[r] > 0) {
                Shape s = new Shape(1, CONFIG.numKvHeads(), filled[r], CONFIG.headDim());
                int n = (int) s.size();
                c.append(
                        m.create(RowBlocks.pseudoRandom(n, seed + r), s),
                        m.create(RowBlocks.pseudoRandom(n, seed + 100 + r), s));
            }
            out.add(c);
        }
        return out;
    }

    private static HostTensor random(int out, int in, long seed) {
        return HostTensor.of(RowBlocks.pseudoRandom(out * in, seed), out, in);
    }
}
