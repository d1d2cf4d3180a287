package dev.csmserver.weights;

import java.nio.ByteBuffer;
import java.nio.ShortBuffer;

/**
 * Widens checkpoint data to Java arrays before DJL sees it: DJL 0.36 aborts the JVM on any bf16
 * tensor, so BF16 (the upper 16 bits of an IEEE float32) and F16 become float32 here.
 */
final class DtypeConversion {
    private DtypeConversion() {}

    static float[] toFloats(TensorInfo info, ByteBuffer raw) {
        int n = Math.toIntExact(info.elementCount());
        float[] out = new float[n];
        toFloats(info, raw, n, out);
        return out;
    }

    /**
     * Widens {@code count} values of {@code raw} (little-endian {@code dtype}) into {@code out[0,
     * count)}.
     */
    static void toFloats(TensorInfo info, ByteBuffer raw, int count, float[] out) {
        switch (info.dtype()) {
            case F32 -> raw.asFloatBuffer().get(out, 0, count);
            case BF16 -> {
                ShortBuffer s = raw.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    out[i] = Float.intBitsToFloat((s.get(i) & 0xFFFF) << 16);
                }
            }
            case F16 -> {
                ShortBuffer s = raw.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    out[i] = halfToFloat(s.get(i));
                }
            }
            default ->
                    throw new WeightsException(
                            "tensor '"
                                    + info.name()
                                    + "' has dtype "
                                    + info.dtype()
                                    + ", expected a float type");
        }
    }

    static long[] toLongs(TensorInfo info, ByteBuffer raw) {
        int n = Math.toIntExact(info.elementCount());
        long[] out = new long[n];
        switch (info.dtype()) {
            case I64 -> raw.asLongBuffer().get(out);
            case I32 -> {
                var b = raw.asIntBuffer();
                for (int i = 0; i < n; i++) {
                    out[i] = b.get(i);
                }
            }
            default ->
                    throw new WeightsException(
                            "tensor '"
                                    + info.name()
                                    + "' has dtype "
                                    + info.dtype()
                                    + ", expected an integer type");
        }
        return out;
    }

    /** IEEE 754 binary16 to float32 (Java 17 has no {@code Float.float16ToFloat}). */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant * 0x1p-24f; // subnormal half: mant * 2^-24
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
