package dev.csmserver.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Host floats to libtorch-owned NDArrays without leaving garbage behind. DJL wraps a direct buffer
 * zero-copy, so an array made from a {@code float[]} lives in JVM direct memory (capped by {@code
 * -XX:MaxDirectMemorySize}, freed only by a GC). Here the values pass slice by slice through one
 * small direct buffer we own into arrays libtorch allocated (converting to float16 if asked), and
 * the buffer is freed at once: a multi-GB model loads with no JVM flag, no whole-tensor copy on the
 * Java side and no transient pile of dead buffers.
 */
final class DirectUpload {
    private static final Method INVOKE_CLEANER;
    private static final Object UNSAFE;

    static {
        Method m = null;
        Object u = null;
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            u = f.get(null);
            m = c.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            m = null; // the buffer is then freed by the next GC instead
        }
        INVOKE_CLEANER = m;
        UNSAFE = u;
    }

    private DirectUpload() {}

    /** Floats staged per copy into libtorch: 16 MB, whatever the tensor's size. */
    private static final int STAGE_FLOATS = 4 << 20;

    /**
     * Fills new {@code type} arrays of {@code shapes} (in order) with the values of {@code source}
     * through one small staging buffer: peak extra memory is the buffer, not the tensor.
     */
    static NDArray[] stream(
            NDManager manager, DataType type, FloatSlices source, long[]... shapes) {
        return stream(manager, type, source, STAGE_FLOATS, shapes);
    }

    /**
     * As {@link #stream(NDManager, DataType, FloatSlices, long[]...)} with a staging buffer of
     * {@code stageFloats}.
     */
    static NDArray[] stream(
            NDManager manager,
            DataType type,
            FloatSlices source,
            int stageFloats,
            long[]... shapes) {
        NDArray[] out = new NDArray[shapes.length];
        long total = 0;
        for (int i = 0; i < shapes.length; i++) {
            out[i] = manager.zeros(new Shape(shapes[i]), type);
            total += out[i].size();
        }
        int stageSize = (int) Math.max(1, Math.min(total, stageFloats));
        ByteBuffer stage = ByteBuffer.allocateDirect(stageSize * 4).order(ByteOrder.nativeOrder());
        Filler filler = new Filler(manager, out, stage);
        try {
            source.emit(stageSize, filler);
            filler.finish(total);
        } catch (RuntimeException e) {
            for (NDArray a : out) {
                a.close();
            }
            throw e;
        } finally {
            free(stage);
        }
        return out;
    }

    /**
     * Copies runs of floats into the staging buffer and flushes it into the current destination.
     */
    private static final class Filler implements FloatSlices.Sink {
        private final NDManager manager;
        private final NDArray[] dests;
        private final FloatBuffer floats;
        private final ByteBuffer stage;
        private int dest;
        private long destPos; // next element of dests[dest]
        private int staged;
        private long written;

        Filler(NDManager manager, NDArray[] dests, ByteBuffer stage) {
            this.manager = manager;
            this.dests = dests;
            this.stage = stage;
            this.floats = stage.asFloatBuffer();
        }

        @Override
        public void accept(float[] values, int offset, int count) {
            while (count > 0) {
                if (dest >= dests.length) {
                    throw new WeightsException("tensor data longer than its shape");
                }
                long destLeft = dests[dest].size() - destPos - staged;
                int n = (int) Math.min(count, Math.min(floats.capacity() - staged, destLeft));
                floats.put(staged, values, offset, n);
                staged += n;
                offset += n;
                count -= n;
                if (staged == floats.capacity() || destLeft == n) {
                    flush();
                }
            }
        }

        private void flush() {
            if (staged == 0) {
                return;
            }
            NDArray target = dests[dest];
            ByteBuffer bytes = stage.duplicate().order(ByteOrder.nativeOrder());
            bytes.limit(staged * 4);
            try (NDArray chunk =
                            manager.create(
                                    bytes.slice().order(ByteOrder.nativeOrder()),
                                    new Shape(staged),
                                    DataType.FLOAT32);
                    NDArray flat = target.reshape(-1)) {
                flat.set(
                        new NDIndex().addSliceDim(destPos, destPos + staged),
                        chunk); // converts to the type
            }
            written += staged;
            destPos += staged;
            staged = 0;
            if (destPos == target.size()) {
                dest++;
                destPos = 0;
            }
        }

        void finish(long total) {
            flush();
            if (written != total) {
                throw new WeightsException(
                        "tensor data has " + written + " values, its shape needs " + total);
            }
        }
    }

    private static void free(ByteBuffer buf) {
        if (INVOKE_CLEANER != null) {
            try {
                INVOKE_CLEANER.invoke(UNSAFE, buf);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // left to the GC
            }
        }
    }
}
