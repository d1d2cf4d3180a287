package dev.csmserver.contexts;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stored entries that cannot be read back, as they turn up in real stores: a file cut short by a
 * full disk, a foreign file dropped into the directory, a header that claims 2^31 - 1 codebooks of
 * 0 frames (47 bytes for a 5-character id; it once made the listing throw OutOfMemoryError), and a
 * good context copied under another id. Shared by the store and HTTP tests.
 */
public final class CorruptEntries {
    private CorruptEntries() {}

    /**
     * Entry bytes by a label that is also a valid context id, each unreadable as a context of that
     * id.
     */
    public static Map<String, byte[]> forIdsPrefixed(String prefix) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        byte[] good = StoredContextCodec.encode(context(prefix + "truncated"));
        out.put(prefix + "truncated", Arrays.copyOf(good, good.length - 3));
        out.put(prefix + "foreign", "\u0089PNG\r\n\u001a\n not a context at all".getBytes());
        out.put(prefix + "bogus-header", bogusHeader(prefix + "bogus-header"));
        out.put(prefix + "other-id", StoredContextCodec.encode(context(prefix + "someone-else")));
        return out;
    }

    /** A readable context of {@code id}: 2 codebooks of 3 frames. */
    public static StoredContext context(String id) {
        return new StoredContext(
                id, 1, "hello there", new int[][] {{1, 2, 3}, {4, 5, 6}}, 0.24, Instant.now());
    }

    /** A valid header for {@code id} claiming {@link Integer#MAX_VALUE} codebooks and 0 frames. */
    public static byte[] bogusHeader(String id) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0x43534D43); // "CSMC"
            out.writeInt(1);
            out.writeUTF(id);
            out.writeInt(0); // speaker
            out.writeInt(0); // text length
            out.writeDouble(0.0);
            out.writeLong(0L);
            out.writeInt(Integer.MAX_VALUE); // codebooks
            out.writeInt(0); // frames
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
