package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;

/**
 * The windows a 1-D convolution reads, laid out so the convolution becomes one matrix product:
 * libtorch's conv1d reorders the whole kernel on every call (milliseconds for Mimi's large kernels,
 * far more than the product itself when a streamed frame has a few steps) and has no fast path for
 * a single input channel or a 1x1 kernel.
 */
final class Unfold {
    private Unfold() {}

    /**
     * {@code buffer [B, Cin, L]} → {@code [B, k·Cin, F]}, row {@code i·Cin + c} of frame {@code f}
     * = {@code buffer[c, f·stride + i·dilation]}: multiply by the kernel as {@code [1, Cout,
     * k·Cin]}. The result is a transposed view of time-major windows {@code [B, F, k·Cin]}: with
     * the frames as the slow axis MKL streams a large kernel at memory speed for a few frames,
     * where the frame-contiguous layout runs about 4x slower.
     */
    static NDArray columns(NDArray buffer, int k, int dilation, int stride, long frames) {
        if (k == 1 && stride == 1 && buffer.getShape().get(2) == frames) {
            return buffer;
        }
        NDArray time = buffer.transpose(0, 2, 1); // [B, L, Cin]
        NDList taps = new NDList(k);
        for (int i = 0; i < k; i++) {
            long from = (long) i * dilation;
            taps.add(
                    time.get(
                            new NDIndex()
                                    .addAllDim()
                                    .addSliceDim(from, from + (frames - 1) * stride + 1, stride)));
        }
        return NDArrays.concat(taps, 2).transpose(0, 2, 1); // [B, F, k·Cin] → [B, k·Cin, F]
    }
}
