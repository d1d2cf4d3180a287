package dev.csmserver.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.csmserver.weights.HostTensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * FBGEMM-packed float16 weights: available with the pinned libtorch on x86-64, float16 weights on
 * the CPU get them, the product is that of the fp16-rounded weights with float32 rows, a row's
 * result has the same bits whatever rows run beside it (what batch == solo relies on), and the
 * packed copies are freed with their manager.
 */
class FbgemmFp16Test {
    private static final RowParallel POOL = new RowParallel(2);

    @AfterAll
    static void stopPool() {
        POOL.close();
    }

    @Test
    void float16WeightsOnTheCpuArePacked() {
        assertTrue(FbgemmFp16.available().isPresent(), "libtorch 2.7.1 on x86-64 ships FBGEMM");
        try (NDManager m = NDManager.newBaseManager()) {
            Linear half =
                    Linear.load(
                            HostTensor.of(LinearTest.random(8 * 4, 1), 8, 4), m, DataType.FLOAT16);
            assertTrue(half.packed());
            assertEquals(DataType.FLOAT16, half.weightType());
            assertEquals(8, half.outFeatures());
            assertEquals(4, half.inFeatures());
            Linear full =
                    Linear.load(
                            HostTensor.of(LinearTest.random(8 * 4, 1), 8, 4), m, DataType.FLOAT32);
            assertTrue(!full.packed());
        }
    }

    @Test
    void productIsThatOfTheRoundedWeightsWithFloat32RowsForAnyRowCount() {
        try (NDManager m = NDManager.newBaseManager()) {
            int out = 300;
            int in = 96;
            float[] w = LinearTest.random(out * in, 2);
            Linear packed =
                    Linear.load(
                            HostTensor.of(w, out, in),
                            m,
                            DataType.FLOAT16,
                            POOL,
                            1,
                            FbgemmFp16.available().orElseThrow());
            assertEquals(2, packed.blocks());
            NDArray rounded =
                    m.create(w, new Shape(out, in))
                            .toType(DataType.FLOAT16, false)
                            .toType(DataType.FLOAT32, false);
            for (long rows : new long[] {1, 4, Linear.MIN_CONV_ROWS, 75}) {
                NDArray x = m.create(LinearTest.random((int) rows * in, rows), new Shape(rows, in));
                NDArray expected = ai.djl.nn.core.Linear.linear(x, rounded).head(); // [rows, out]
                assertArrayEquals(
                        expected.toFloatArray(),
                        packed.forward(x).toFloatArray(),
                        1e-4f,
                        rows + " rows");
            }
        }
    }

    @Test
    void aRowGivesTheSameBitsAloneOrBesideOthers() {
        try (NDManager m = NDManager.newBaseManager()) {
            int out = 2051;
            int in = 256;
            Linear packed =
                    Linear.load(
                            HostTensor.of(LinearTest.random(out * in, 3), out, in),
                            m,
                            DataType.FLOAT16,
                            POOL,
                            1,
                            FbgemmFp16.available().orElseThrow());
            int rows = 40;
            NDArray x = m.create(LinearTest.random(rows * in, 4), new Shape(rows, in));
            NDArray all = packed.forward(x); // [40, out]
            for (int count : new int[] {1, 2, 3, 4, 7, 13}) {
                for (int from : new int[] {0, 5, rows - count}) {
                    NDIndex slice = new NDIndex().addSliceDim(from, from + count);
                    assertArrayEquals(
                            all.get(slice).toFloatArray(),
                            packed.forward(x.get(slice)).toFloatArray(),
                            0f,
                            count + " rows from " + from);
                }
            }
        }
    }

    @Test
    void aRowGivesTheSameBitsInPromptsLongerThanOneFbgemmBlock() {
        try (NDManager m = NDManager.newBaseManager()) {
            int out = 130;
            int in = 64;
            Linear packed =
                    Linear.load(
                            HostTensor.of(LinearTest.random(out * in, 5), out, in),
                            m,
                            DataType.FLOAT16,
                            POOL,
                            1,
                            FbgemmFp16.available().orElseThrow());
            int rows = 250;
            NDArray x = m.create(LinearTest.random(rows * in, 6), new Shape(rows, in));
            NDArray all = packed.forward(x); // [250, out]
            for (int count : new int[] {121, 122, 127, 152, 241}) {
                NDIndex slice = new NDIndex().addSliceDim(0, count);
                assertArrayEquals(
                        all.get(slice).toFloatArray(),
                        packed.forward(x.get(slice)).toFloatArray(),
                        0f,
                        count + " rows");
            }
        }
    }

    @Test
    void packedWeightsAreFreedWithTheirManager() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDManager weights = m.newSubManager();
            Linear.load(
                    HostTensor.of(LinearTest.random(64 * 32, 5), 64, 32),
                    weights,
                    DataType.FLOAT16,
                    POOL,
                    1,
                    FbgemmFp16.available().orElseThrow());
            assertEquals(2, weights.getManagedArrays().size(), "only the two packed blocks stay");
            NDArray[] held =
                    weights.getManagedArrays().stream()
                            .map(a -> (NDArray) a)
                            .toArray(NDArray[]::new);
            weights.close();
            for (NDArray a : held) {
                assertTrue(a.isReleased());
            }
        }
    }
}
