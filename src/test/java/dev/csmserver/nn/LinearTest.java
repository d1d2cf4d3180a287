package dev.csmserver.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.csmserver.weights.HostTensor;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A weight cut into row blocks and multiplied on several threads gives the product of the whole
 * matrix, for one row, a few rows and a prompt's worth, float32 and float16; the pool hands the
 * results to the caller's scope, propagates failures and serves concurrent callers.
 */
class LinearTest {
    private static final RowParallel POOL = new RowParallel(3);

    @AfterAll
    static void stopPool() {
        POOL.close();
    }

    @Test
    void rowBlocksEqualTheWholeProduct() {
        try (NDManager m = NDManager.newBaseManager()) {
            int out = 11;
            int in = 24;
            float[] w = random(out * in, 1);
            Linear linear = Linear.load(HostTensor.of(w, out, in), m, DataType.FLOAT32, POOL, 1);
            assertEquals(out, linear.outFeatures());
            assertEquals(3, linear.blocks());
            for (int rows : new int[] {1, 3, 40}) {
                assertWholeProduct(m, linear, w, new Shape(1, rows, in), 1e-5f);
            }
        }
    }

    /**
     * A few rows are multiplied weight first for a weight of at least MIN_STREAMED_ELEMENTS and
     * addmm below it: both equal the whole product.
     */
    @Test
    void fewRowsEqualTheWholeProductOnBothSidesOfTheBmmSize() {
        try (NDManager m = NDManager.newBaseManager()) {
            int in = 256;
            for (int out :
                    new int[] {
                        (int) (Linear.MIN_STREAMED_ELEMENTS / in) - 1,
                        (int) (Linear.MIN_STREAMED_ELEMENTS / in) + 7
                    }) {
                float[] w = random(out * in, out);
                Linear linear =
                        Linear.load(
                                HostTensor.of(w, out, in),
                                m,
                                DataType.FLOAT32,
                                POOL,
                                Long.MAX_VALUE);
                assertEquals(1, linear.blocks());
                for (long rows = 2; rows <= Linear.MAX_FEW_ROWS; rows += 3) {
                    assertWholeProduct(m, linear, w, new Shape(rows, in), 1e-4f);
                }
            }
        }
    }

    /**
     * A prompt's rows run as 1x1 convolutions over kernel chunks (400-row blocks of 8192 columns: a
     * full 256-row chunk and a partial one each); plain float16 weights (no FBGEMM) are widened
     * chunk by chunk into one scratch, so they give the product of the fp16-rounded matrix.
     */
    @ParameterizedTest
    @EnumSource(
            value = DataType.class,
            names = {"FLOAT32", "FLOAT16"})
    void promptRowsThroughChunkedConvolutionsEqualTheWholeProduct(DataType type) {
        try (NDManager m = NDManager.newBaseManager()) {
            int in = 8192;
            int out = 1200;
            float[] w = random(out * in, 5);
            Linear linear = Linear.load(HostTensor.of(w, out, in), m, type, POOL, 1, null);
            assertFalse(linear.packed());
            assertEquals(type, linear.weightType());
            assertTrue(
                    Linear.MAX_CONV_CHUNK_ELEMENTS / in < out / POOL.parallelism(),
                    "the blocks must be cut into chunks");
            float[] stored =
                    m.create(w).toType(type, false).toType(DataType.FLOAT32, false).toFloatArray();
            // fewer float16 rows are multiplied in float16 (an fp16-rounded result, see the test
            // below)
            long[] counts =
                    type == DataType.FLOAT32
                            ? new long[] {Linear.MIN_CONV_ROWS - 1, Linear.MIN_CONV_ROWS, 75}
                            : new long[] {Linear.MIN_CONV_ROWS, 75};
            for (long rows : counts) {
                assertWholeProduct(m, linear, stored, new Shape(rows, in), 1e-3f);
            }
        }
    }

    /**
     * Plain float16 blocks (narrowed rows for a few, widened chunks for many) and FBGEMM-packed
     * ones.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void float16BlocksStayCloseToFloat32ForFewAndManyRows(boolean packed) {
        try (NDManager m = NDManager.newBaseManager()) {
            int out = 64;
            int in = 32;
            float[] w = random(out * in, 2);
            FbgemmFp16 fbgemm = packed ? FbgemmFp16.available().orElseThrow() : null;
            Linear half =
                    Linear.load(HostTensor.of(w, out, in), m, DataType.FLOAT16, POOL, 1, fbgemm);
            assertEquals(packed, half.packed());
            Linear full = Linear.load(HostTensor.of(w, out, in), m, DataType.FLOAT32, POOL, 1);
            assertEquals(DataType.FLOAT16, half.weightType());
            for (long rows : new long[] {1, Linear.MAX_FEW_ROWS, Linear.MAX_FEW_ROWS + 1, 50}) {
                NDArray x = m.create(random((int) rows * in, 7), new Shape(rows, in));
                NDArray y = half.forward(x);
                assertEquals(DataType.FLOAT32, y.getDataType());
                assertArrayEquals(full.forward(x).toFloatArray(), y.toFloatArray(), 5e-3f);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void resultsBelongToTheCallersScopeAndTemporariesAreFreed(boolean packed) {
        try (NDManager m = NDManager.newBaseManager()) {
            FbgemmFp16 fbgemm = packed ? FbgemmFp16.available().orElseThrow() : null;
            Linear linear =
                    Linear.load(
                            HostTensor.of(random(6 * 4, 3), 6, 4),
                            m,
                            DataType.FLOAT16,
                            POOL,
                            1,
                            fbgemm);
            NDArray x = m.create(random(4, 4), new Shape(1, 4));
            int before = m.getManagedArrays().size();
            NDArray y;
            try (NDScope scope = new NDScope()) {
                y = linear.forward(x);
                assertFalse(y.isReleased());
            }
            assertTrue(y.isReleased());
            assertEquals(before, m.getManagedArrays().size());
        }
    }

    @Test
    void aFailingBlockFailsTheCallAndClosesTheOtherResults() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] made = new NDArray[3];
            IllegalStateException boom = new IllegalStateException("block 1 failed");
            IllegalStateException thrown =
                    assertThrows(
                            IllegalStateException.class,
                            () ->
                                    POOL.map(
                                            3,
                                            i -> {
                                                if (i == 1) {
                                                    throw boom;
                                                }
                                                made[i] = m.zeros(new Shape(2));
                                                return made[i];
                                            }));
            assertSame(boom, thrown);
            for (NDArray a : made) {
                assertTrue(a == null || a.isReleased());
            }
            // the pool still works afterwards
            assertEquals(3, POOL.map(3, i -> m.zeros(new Shape(1))).length);
        }
    }

    @Test
    void concurrentCallersGetTheirOwnResults() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            int in = 16;
            float[] w = random(9 * in, 4);
            Linear linear = Linear.load(HostTensor.of(w, 9, in), m, DataType.FLOAT32, POOL, 1);
            NDArray whole = m.create(w, new Shape(9, in));
            CompletableFuture<?>[] callers = new CompletableFuture<?>[4];
            for (int c = 0; c < callers.length; c++) {
                int seed = c;
                callers[c] =
                        CompletableFuture.runAsync(
                                () -> {
                                    for (int rep = 0; rep < 50; rep++) {
                                        try (NDScope scope = new NDScope()) {
                                            NDArray x =
                                                    m.create(
                                                            random(in, seed * 100 + rep),
                                                            new Shape(1, in));
                                            assertArrayEquals(
                                                    ai.djl.nn.core.Linear.linear(x, whole)
                                                            .head()
                                                            .toFloatArray(),
                                                    linear.forward(x).toFloatArray(),
                                                    1e-5f);
                                        }
                                    }
                                });
            }
            CompletableFuture.allOf(callers).get();
        }
    }

    /**
     * {@code linear} applied to random rows of {@code xShape [..., in]} equals x·Wᵀ of the whole
     * {@code w [out, in]}.
     */
    private static void assertWholeProduct(
            NDManager m, Linear linear, float[] w, Shape xShape, float tolerance) {
        long in = xShape.get(xShape.dimension() - 1);
        long out = w.length / in;
        long rows = xShape.size() / in;
        NDArray x = m.create(random((int) xShape.size(), rows), xShape);
        NDArray expected = ai.djl.nn.core.Linear.linear(x, m.create(w, new Shape(out, in))).head();
        NDArray actual = linear.forward(x);
        assertEquals(expected.getShape(), actual.getShape());
        assertArrayEquals(
                expected.toFloatArray(),
                actual.toFloatArray(),
                tolerance,
                out + "x" + in + ", " + rows + " rows");
    }

    /** {@code n} floats uniform in [-1, 1) from {@code seed}. */
    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return f;
    }
}
