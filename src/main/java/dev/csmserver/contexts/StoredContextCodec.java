package dev.csmserver.contexts;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
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
    private static final int MAX_TEXT_BYTES = 64 << 20;

    /** More codebooks than any Mimi has (32); a header claiming more is corrupt. */
    public static final int MAX_CODEBOOKS = 256;

    /** Largest entry a store reads: the longest text plus far more codes than any limit allows. */
    public static final int MAX_BYTES = MAX_TEXT_BYTES + (16 << 20);

    private StoredContextCodec() {}

    public static byte[] encode(StoredContext c) {
        ByteArrayOutputStream bytes =
                new ByteArrayOutputStream(64 + c.numCodebooks() * c.numFrames() * 2);
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

    /**
     * Decodes {@link #encode} output; anything else is an {@link IllegalArgumentException} saying
     * what is wrong. Every size in the header is checked against the bytes that follow before
     * anything is allocated: a stored entry may be truncated or foreign and claim any size.
     */
    public static StoredContext decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            if (data.length < 8 || in.readInt() != MAGIC) {
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
            int left = in.available();
            if (k < 1 || k > MAX_CODEBOOKS || t < 1 || (long) k * t * 2 != left) {
                throw new IllegalArgumentException(
                        "header claims " + k + " x " + t + " codes but " + left + " bytes follow");
            }
            if (!(duration >= 0) || Double.isInfinite(duration)) {
                throw new IllegalArgumentException("bad duration " + duration);
            }
            int[][] codes = new int[k][t];
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < t; j++) {
                    codes[i][j] = in.readUnsignedShort();
                }
            }
            return new StoredContext(id, speaker, text, codes, duration, created);
        } catch (EOFException e) {
            throw new IllegalArgumentException("truncated stored context", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt stored context: " + e.getMessage(), e);
        }
    }

    /**
     * {@link #decode(byte[])} of the entry stored under {@code id}: an entry that cannot be
     * decoded, or that holds another id (a file copied or renamed by hand), is a {@link
     * CorruptContextException}.
     */
    public static StoredContext decode(byte[] data, String id) {
        StoredContext c;
        try {
            c = decode(data);
        } catch (IllegalArgumentException e) {
            throw new CorruptContextException(id, e.getMessage());
        }
        if (!c.id().equals(id)) {
            throw new CorruptContextException(id, "it holds the context of another id");
        }
        return c;
    }

    private static void writeLongString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readLongString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_TEXT_BYTES || n > in.available()) {
            throw new IOException("bad text length " + n);
        }
        return new String(in.readNBytes(n), java.nio.charset.StandardCharsets.UTF_8);
    }
}
