package dev.csmserver.weights;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A minimal F32 safetensors writer for tests that need hand-made key sets or edited copies of a
 * fixture checkpoint. Tensors are written in the map's iteration order, one at a time, so a copy
 * never holds more than one tensor's data on the heap.
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    /** Writes {@code tensors} (name to tensor) to {@code file} as float32. */
    public static void write(Path file, Map<String, HostTensor> tensors) throws IOException {
        StringBuilder header = new StringBuilder("{");
        long end = 0;
        for (var e : tensors.entrySet()) {
            long begin = end;
            end += e.getValue().size() * Float.BYTES;
            header.append(header.length() > 1 ? "," : "")
                    .append('"')
                    .append(e.getKey())
                    .append("\":{\"dtype\":\"F32\",\"shape\":")
                    .append(Arrays.toString(e.getValue().shape()))
                    .append(",\"data_offsets\":[")
                    .append(begin)
                    .append(',')
                    .append(end)
                    .append("]}");
        }
        header.append('}');
        // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
        int unpadded = header.toString().getBytes(StandardCharsets.UTF_8).length;
        header.append(" ".repeat((8 - unpadded % 8) % 8));
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            out.write(
                    ByteBuffer.allocate(8)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .putLong(h.length)
                            .array());
            out.write(h);
            for (HostTensor t : tensors.values()) {
                float[] v = t.data();
                ByteBuffer b =
                        ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(v);
                out.write(b.array());
            }
        }
    }
}
