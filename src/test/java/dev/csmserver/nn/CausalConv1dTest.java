package dev.csmserver.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every way {@link CausalConv1d} multiplies (conv1d, the unfolded product for a few frames, the
 * matrix-only kernels: one input channel, 1x1, large) gives moshi's padded convolution, offline and
 * streamed in uneven chunks ending with {@link CausalConv1d#finish}.
 */
class CausalConv1dTest {
    @ParameterizedTest(
            name = "cin {0} cout {1} k {2} stride {3} dilation {4} replicate {5} length {6}")
    @CsvSource({
        "1, 8, 7, 1, 1, false, 50", // one input channel (the encoder's first conv)
        "6, 5, 1, 1, 1, false, 40", // 1x1
        "6, 5, 3, 1, 3, false, 40", // dilated, conv1d path
        "6, 5, 3, 1, 1, false, 9", // few frames: product path
        "6, 5, 8, 4, 1, true, 37", // strided, replicate padding, odd length
        "5, 4, 4, 2, 1, false, 23",
        "512, 512, 4, 2, 1, false, 21", // 1M elements: matrix only
    })
    void offlineAndStreamedOutputsEqualTheReferencePaddedConv(
            int cin, int cout, int k, int stride, int dilation, boolean replicate, int length) {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(7);
            NDArray w = m.randomNormal(new Shape(cout, cin, k)).mul(1.0 / Math.sqrt(cin * k));
            NDArray b = m.randomNormal(new Shape(cout));
            NDArray x = m.randomNormal(new Shape(2, cin, length));
            float[] expected = reference(x, w, b, stride, dilation, replicate).toFloatArray();
            CausalConv1d conv = new CausalConv1d(w.duplicate(), b, stride, dilation, 1, replicate);

            NDArray offline = conv.forward(x);
            assertEquals((length + stride - 1) / stride, offline.getShape().get(2));
            assertArrayEquals(expected, offline.toFloatArray(), 1e-4f, "offline");

            SplittableRandom rng = new SplittableRandom(length);
            StreamTail tail = new StreamTail(m);
            List<NDArray> parts = new ArrayList<>();
            for (int from = 0; from < length; ) {
                int to = Math.min(length, from + 1 + rng.nextInt(7));
                NDArray chunk = x.get(new NDIndex().addAllDim().addAllDim().addSliceDim(from, to));
                parts.add(to == length ? conv.finish(chunk, tail) : conv.step(chunk, tail));
                from = to;
            }
            float[] streamed = NDArrays.concat(new NDList(parts), 2).toFloatArray();
            assertArrayEquals(expected, streamed, 1e-4f, "streamed");
        }
    }

    /**
     * moshi's StreamingConv1d offline: left pad k_eff - stride, right pad to complete the last
     * window.
     */
    private static NDArray reference(
            NDArray x, NDArray w, NDArray b, int stride, int dilation, boolean replicate) {
        long length = x.getShape().get(2);
        int kEff = (int) (w.getShape().get(2) - 1) * dilation + 1;
        int padTotal = kEff - stride;
        double frames = (length - kEff + padTotal) / (double) stride + 1;
        long extra = ((long) Math.ceil(frames) - 1) * stride + (kEff - padTotal) - length;
        NDArray padded = pad(pad(x, padTotal, true, replicate), extra, false, replicate);
        return Conv1d.conv1d(padded, w, b, new Shape(stride), new Shape(0), new Shape(dilation), 1)
                .singletonOrThrow();
    }

    private static NDArray pad(NDArray x, long n, boolean left, boolean replicate) {
        if (n <= 0) {
            return x;
        }
        long at = left ? 0 : x.getShape().get(2) - 1;
        NDArray fill =
                replicate
                        ? x.get(new NDIndex().addAllDim().addAllDim().addSliceDim(at, at + 1))
                                .repeat(2, n)
                        : x.zerosLike()
                                .get(new NDIndex().addAllDim().addAllDim().addSliceDim(0, 1))
                                .repeat(2, n);
        return left ? fill.concat(x, 2) : x.concat(fill, 2);
    }
}
