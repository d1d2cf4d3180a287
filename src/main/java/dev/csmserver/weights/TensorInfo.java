package dev.csmserver.weights;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Arrays;

/** One header entry of a safetensors file: dtype, shape and byte range within the data block. */
public record TensorInfo(String name, Dtype dtype, long[] shape, long begin, long end) {

    static TensorInfo parse(Path path, String name, JsonNode node, long dataLen) {
        String where = path + ": tensor '" + name + "'";
        JsonNode dt = node.get("dtype");
        JsonNode sh = node.get("shape");
        JsonNode off = node.get("data_offsets");
        if (dt == null
                || sh == null
                || off == null
                || !sh.isArray()
                || !off.isArray()
                || off.size() != 2) {
            throw new WeightsException(where + ": bad header entry " + node);
        }
        Dtype dtype = Dtype.parse(where, dt.asText());
        long[] shape = new long[sh.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = sh.get(i).asLong();
            if (shape[i] < 0) {
                throw new WeightsException(where + ": negative dimension in shape " + sh);
            }
            count = Math.multiplyExact(count, shape[i]);
        }
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        if (begin < 0 || end < begin || end > dataLen) {
            throw new WeightsException(
                    where
                            + ": data_offsets ["
                            + begin
                            + ", "
                            + end
                            + ") outside the data block of "
                            + dataLen
                            + " bytes (truncated file?)");
        }
        if (end - begin != count * dtype.bytes()) {
            throw new WeightsException(
                    where
                            + ": "
                            + (end - begin)
                            + " bytes do not hold shape "
                            + Arrays.toString(shape)
                            + " of "
                            + dtype);
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t
                && name.equals(t.name)
                && dtype == t.dtype
                && Arrays.equals(shape, t.shape)
                && begin == t.begin
                && end == t.end;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
