package dev.csmserver.golden;

import java.util.Arrays;

/**
 * Comparisons for golden tests: exact integers, float max|diff| with the tolerance in the message.
 */
public final class GoldenAssert {
    private GoldenAssert() {}

    public static void assertExact(String what, long[] expected, long[] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError(
                    what + ": length " + actual.length + ", expected " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                throw new AssertionError(
                        what
                                + ": first mismatch at index "
                                + i
                                + ": got "
                                + actual[i]
                                + ", expected "
                                + expected[i]
                                + "\n expected "
                                + head(expected)
                                + "\n actual   "
                                + head(actual));
            }
        }
    }

    /** Fails unless every |a - e| <= tol; a NaN or Inf in {@code actual} always fails. */
    public static double assertClose(String what, float[] expected, float[] actual, double tol) {
        if (expected.length != actual.length) {
            throw new AssertionError(
                    what + ": length " + actual.length + ", expected " + expected.length);
        }
        double max = 0;
        int at = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            if (Double.isNaN(d)) {
                d = Double.POSITIVE_INFINITY;
            }
            if (d > max) {
                max = d;
                at = i;
            }
        }
        if (!(max <= tol)) {
            throw new AssertionError(
                    String.format(
                            "%s: max |diff| %.3g > tolerance %.3g at index %d (got %s, expected %s)",
                            what, max, tol, at, actual[at], expected[at]));
        }
        return max;
    }

    private static String head(long[] a) {
        return Arrays.toString(Arrays.copyOf(a, Math.min(a.length, 40)));
    }
}
