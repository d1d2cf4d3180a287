package dev.csmserver.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One memory-mapped {@code .safetensors} file: 8-byte little-endian header length, a JSON header
 * ({@code dtype}, {@code shape}, {@code data_offsets} per tensor, optional {@code __metadata__}),
 * then raw little-endian row-major data. The header is validated completely on open, so a truncated
 * or corrupt file fails here with a named error instead of later inside the model.
 */
public final class SafetensorsFile {

    /** Header larger than this is refused: real headers are a few hundred KiB at most. */
    private static final long MAX_HEADER_BYTES = 100L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private final MappedData data;

    private SafetensorsFile(
            Path path,
            Map<String, TensorInfo> tensors,
            Map<String, String> metadata,
            MappedData data) {
        this.path = path;
        this.tensors = tensors;
        this.metadata = metadata;
        this.data = data;
    }

    /** Opens and maps {@code path}; validates the header against the file size. */
    public static SafetensorsFile open(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new WeightsException(
                        path + ": truncated safetensors file (" + size + " bytes)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || 8 + headerLen > size) {
                throw new WeightsException(
                        path
                                + ": bad safetensors header length "
                                + headerLen
                                + " for file of "
                                + size
                                + " bytes");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headerBuf, 8);
            String header = new String(headerBuf.array(), StandardCharsets.UTF_8);
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, String> meta = new LinkedHashMap<>();
            Map<String, TensorInfo> infos = parseHeader(path, header, dataLen, meta);
            MappedData mapped = MappedData.map(ch, dataStart, dataLen);
            return new SafetensorsFile(
                    path,
                    Collections.unmodifiableMap(infos),
                    Collections.unmodifiableMap(meta),
                    mapped);
        } catch (NoSuchFileException e) {
            throw new WeightsException("checkpoint file not found: " + path, e);
        } catch (IOException e) {
            throw new WeightsException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static Map<String, TensorInfo> parseHeader(
            Path path, String header, long dataLen, Map<String, String> meta) {
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (IOException e) {
            throw new WeightsException(
                    path + ": safetensors header is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new WeightsException(path + ": safetensors header is not a JSON object");
        }
        Map<String, TensorInfo> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                e.getValue()
                        .fields()
                        .forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            out.put(e.getKey(), TensorInfo.parse(path, e.getKey(), e.getValue(), dataLen));
        }
        return out;
    }

    public Path path() {
        return path;
    }

    /** Tensor name to its header entry, in file order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new WeightsException(path + ": missing tensor '" + name + "'");
        }
        return info;
    }

    /** Zero-copy little-endian read-only view of one tensor's raw bytes. */
    public ByteBuffer raw(String name) {
        TensorInfo info = info(name);
        return data.slice(info.begin(), info.end() - info.begin());
    }

    /** The tensor widened or kept as float32 (F32, F16, BF16), row-major. */
    public float[] floats(String name) {
        TensorInfo info = info(name);
        return DtypeConversion.toFloats(info, raw(name));
    }

    /**
     * The tensor widened to float32 in row-major runs of at most {@code maxFloats} (no whole-tensor
     * array).
     */
    public void emitFloats(String name, int maxFloats, FloatSlices.Sink sink) {
        TensorInfo info = info(name);
        ByteBuffer raw = raw(name);
        long n = info.elementCount();
        int width = Math.toIntExact((info.end() - info.begin()) / Math.max(1, n));
        float[] buf = new float[(int) Math.min(n, maxFloats)];
        for (long at = 0; at < n; at += buf.length) {
            int count = (int) Math.min(buf.length, n - at);
            ByteBuffer part =
                    raw.slice(Math.toIntExact(at * width), count * width)
                            .order(ByteOrder.LITTLE_ENDIAN);
            DtypeConversion.toFloats(info, part, count, buf);
            sink.accept(buf, 0, count);
        }
    }

    /** The tensor as int64 (I64, I32 widened), row-major. */
    public long[] longs(String name) {
        TensorInfo info = info(name);
        return DtypeConversion.toLongs(info, raw(name));
    }
}
