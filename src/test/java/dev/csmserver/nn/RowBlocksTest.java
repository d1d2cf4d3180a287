package dev.csmserver.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Row counts FBGEMM does not multiply batch-invariantly are padded to the next one it does. */
class RowBlocksTest {
    private static RowBlocks withUnsafe(Set<Integer> unsafe) {
        boolean[] safe = new boolean[RowBlocks.MAX_BLOCK + 1];
        Arrays.fill(safe, true);
        unsafe.forEach(m -> safe[m] = false);
        return RowBlocks.of(safe);
    }

    @Test
    void anUnsafeCountIsPaddedToTheNextSafeOneAndSafeCountsStay() {
        RowBlocks b = withUnsafe(Set.of(1, 2, 7, 31, 32));
        assertEquals(3, b.paddedRows(1));
        assertEquals(3, b.paddedRows(2));
        assertEquals(3, b.paddedRows(3));
        assertEquals(8, b.paddedRows(7));
        assertEquals(33, b.paddedRows(31));
        assertEquals(120, b.paddedRows(120));
    }

    @Test
    void longInputsRunWholeBlocksAndPadOnlyTheirTail() {
        RowBlocks b = withUnsafe(Set.of(1, 2, 7));
        assertEquals(123, b.paddedRows(121));
        assertEquals(248, b.paddedRows(247));
        assertEquals(240, b.paddedRows(240));
        assertEquals(250, b.paddedRows(250));
    }

    @Test
    void withoutFbgemmNothingIsPadded() {
        assertEquals(1, RowBlocks.IDENTITY.paddedRows(1));
        assertEquals(7, RowBlocks.IDENTITY.paddedRows(7));
    }
}
