package dev.csmserver.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * A float32 tensor not yet on a device: its PyTorch shape plus a loader that produces the row-major
 * data on demand (read from a mapped file, or derived from other tensors at load time: a q/k
 * un-permutation, a fused-QKV split, an EMA codebook division).
 */
public record HostTensor(long[] shape, Supplier<float[]> loader, FloatSlices slices) {

    /** A tensor whose slices are cut from the whole array of {@code loader}. */
    public HostTensor(long[] shape, Supplier<float[]> loader) {
        this(shape, loader, FloatSlices.whole(loader));
    }

    /** A tensor of known data (tests, demo weights, derived tables). */
    public static HostTensor of(float[] data, long... shape) {
        long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        if (n != data.length) {
            throw new IllegalArgumentException(
                    data.length + " values do not fill shape " + Arrays.toString(shape));
        }
        return new HostTensor(shape, () -> data);
    }

    /** A tensor read from {@code file} when loaded. */
    public static HostTensor fromFile(SafetensorsFile file, String name) {
        TensorInfo info = file.info(name);
        if (!info.dtype().isFloat()) {
            throw new WeightsException(
                    file.path()
                            + ": tensor '"
                            + name
                            + "' has dtype "
                            + info.dtype()
                            + ", expected F32/F16/BF16");
        }
        return new HostTensor(
                info.shape(),
                () -> file.floats(name),
                (max, sink) -> file.emitFloats(name, max, sink));
    }

    public long size() {
        return Arrays.stream(shape).reduce(1, Math::multiplyExact);
    }

    public float[] data() {
        return loader.get();
    }

    /** A tensor with the same data seen under another shape of equal size. */
    public HostTensor reshape(long... newShape) {
        long n = Arrays.stream(newShape).reduce(1, Math::multiplyExact);
        if (n != size()) {
            throw new IllegalArgumentException(
                    Arrays.toString(shape) + " cannot be viewed as " + Arrays.toString(newShape));
        }
        return new HostTensor(newShape, loader, slices);
    }

    /** Creates the tensor in {@code manager} as float32 or float16 (bf16 would abort DJL 0.36). */
    public NDArray toNd(NDManager manager, DataType type) {
        if (type != DataType.FLOAT32 && type != DataType.FLOAT16) {
            throw new IllegalArgumentException("weights are float32 or float16, not " + type);
        }
        return DirectUpload.stream(manager, type, slices, shape)[0];
    }

    /**
     * Creates a 2-D tensor {@code [rows, cols]} as {@code blocks} arrays of consecutive rows (sizes
     * differ by at most one), reading the data once: the row blocks of a weight multiplied on
     * several cores at once.
     */
    public NDArray[] toNdRowBlocks(NDManager manager, DataType type, int blocks) {
        if (shape.length != 2 || blocks < 1 || blocks > shape[0]) {
            throw new IllegalArgumentException(
                    Arrays.toString(shape) + " cannot be cut into " + blocks + " row blocks");
        }
        if (type != DataType.FLOAT32 && type != DataType.FLOAT16) {
            throw new IllegalArgumentException("weights are float32 or float16, not " + type);
        }
        long rows = shape[0];
        long[][] shapes = new long[blocks][];
        long from = 0;
        for (int b = 0; b < blocks; b++) {
            long to = rows * (b + 1) / blocks;
            shapes[b] = new long[] {to - from, shape[1]};
            from = to;
        }
        return DirectUpload.stream(manager, type, slices, shapes);
    }
}
