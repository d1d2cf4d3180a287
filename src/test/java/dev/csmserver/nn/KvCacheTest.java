package dev.csmserver.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/**
 * The preallocated cache writes in place at its fill pointer and exposes only the filled prefix.
 */
class KvCacheTest {
    @Test
    void appendsInPlaceAndReadsThePrefix() {
        try (NDManager m = NDManager.newBaseManager()) {
            KvCache cache = new KvCache(m, 1, 2, 4, 1);
            cache.append(
                    m.create(new float[] {1, 2}, new Shape(1, 2, 1, 1)),
                    m.create(new float[] {3, 4}, new Shape(1, 2, 1, 1)));
            cache.append(
                    m.create(new float[] {5, 6, 7, 8}, new Shape(1, 2, 2, 1)),
                    m.create(new float[] {0, 0, 0, 0}, new Shape(1, 2, 2, 1)));
            assertEquals(3, cache.filled());
            assertEquals(new Shape(1, 2, 3, 1), cache.keys().getShape());
            assertArrayEquals(new float[] {1, 5, 6, 2, 7, 8}, cache.keys().toFloatArray());
            assertArrayEquals(new float[] {3, 0, 0, 4, 0, 0}, cache.values().toFloatArray());
            assertThrows(
                    IllegalStateException.class,
                    () ->
                            cache.append(
                                    m.create(new float[4], new Shape(1, 2, 2, 1)),
                                    m.create(new float[4], new Shape(1, 2, 2, 1))));
            cache.reset();
            assertEquals(0, cache.filled());
        }
    }
}
