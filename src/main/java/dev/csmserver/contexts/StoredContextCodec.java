package dev.csmserver.contexts;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The one serialised form of a {@link StoredContext}, shared by every store (files, Redis), so a
 * context written by one replica reads back the same on any other. Layout (big-endian): magic
 * "CSMC", version, id, speaker, text, duration, created-at millis, K, T, then K*T codes as shorts.
 */
public final class StoredContextCodec {
    private static final int MAGIC = 0x43534D43; // "CSMC"
    private static final int VERSION = 1;

    private StoredContextCodec() {}

    public static byte[] encode(StoredContext c) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + c.numCodebooks() * c.numFrames() * 2);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeUTF(c.id());
            out.writeInt(c.speaker());
            writeLongString(out, c.text());
            out.writeDouble(c.durationSeconds());
            out.writeLong(c.createdAt().toEpochMilli());
            out.writeInt(c.numCodebooks());
            out.writeInt(c.numFrames());
            for (int[] row : c.codes()) {
                for (int code : row) {
                    out.writeShort(code);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Decodes {@link #encode} output; anything else is an {@link IllegalArgumentException}. */
    public static StoredContext decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            if (in.readInt() != MAGIC) {
                throw new IllegalArgumentException("not a stored context (bad magic)");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IllegalArgumentException("unsupported stored context version " + version);
            }
            String id = in.readUTF();
            int speaker = in.readInt();
            String text = readLongString(in);
            double duration = in.readDouble();
            Instant created = Instant.ofEpochMilli(in.readLong());
            int k = in.readInt();
            int t = in.readInt();
            if (k < 0 || t < 0 || (long) k * t * 2 > data.length) {
                throw new IllegalArgumentException("corrupt stored context: " + k + "x" + t + " codes");
            }
            int[][] codes = new int[k][t];
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < t; j++) {
                    codes[i][j] = in.readUnsignedShort();
                }
            }
            return new StoredContext(id, speaker, text, codes, duration, created);
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt stored context: " + e.getMessage(), e);
        }
    }

    private static void writeLongString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readLongString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > (64 << 20)) {
            throw new IOException("bad text length " + n);
        }
        return new String(in.readNBytes(n), java.nio.charset.StandardCharsets.UTF_8);
    }
}
