package dev.csmserver.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Host floats to a libtorch-owned NDArray without leaving garbage behind. DJL wraps a direct
 * buffer zero-copy, so an array made from a {@code float[]} lives in JVM direct memory (capped by
 * {@code -XX:MaxDirectMemorySize}, freed only by a GC). Here the data goes into a direct buffer
 * we own, libtorch copies it (converting to float16 if asked), and the buffer is freed at once: a
 * multi-GB model loads with no JVM flag and no transient pile of dead buffers.
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

    /** {@code data} of {@code shape} as a {@code type} (float32 / float16) array owned by libtorch. */
    static NDArray upload(NDManager manager, float[] data, long[] shape, DataType type) {
        return upload(manager, data, 0, data.length, shape, type);
    }

    /** {@code data[offset, offset + length)} of {@code shape} as a {@code type} array owned by libtorch. */
    static NDArray upload(NDManager manager, float[] data, int offset, int length, long[] shape, DataType type) {
        ByteBuffer buf = ByteBuffer.allocateDirect(Math.multiplyExact(length, 4)).order(ByteOrder.nativeOrder());
        buf.asFloatBuffer().put(data, offset, length);
        NDArray wrapped = manager.create(buf, new Shape(shape), DataType.FLOAT32);
        try {
            // duplicate() clones; toType to the same type would share the staging storage.
            return type == DataType.FLOAT32 ? wrapped.duplicate() : wrapped.toType(type, false);
        } finally {
            wrapped.close();
            free(buf);
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
