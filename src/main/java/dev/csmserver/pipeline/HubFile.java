package dev.csmserver.pipeline;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * One file of a hub revision as its HEAD describes it: the size, and the content hash to check the
 * download against (sha256 from {@code X-Linked-Etag} for LFS files, the git blob sha1 from {@code
 * ETag} for small ones; {@code null} when the hub gave something that is not a content hash).
 */
record HubFile(String name, long size, String hash) {

    /**
     * A fresh digest for {@link #hash}, already fed git's {@code blob <size>\0} header for a sha1;
     * null if none.
     */
    MessageDigest newDigest() {
        try {
            if (hash == null) {
                return null;
            }
            if (hash.length() == 64) {
                return MessageDigest.getInstance("SHA-256");
            }
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            md.update(("blob " + size + "\0").getBytes(StandardCharsets.UTF_8));
            return md;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Fails unless {@code md} (from {@link #newDigest}, fed the whole file) gives {@link #hash}.
     */
    void verify(MessageDigest md) throws HubException {
        if (md == null) {
            return;
        }
        String actual = HexFormat.of().formatHex(md.digest());
        if (!actual.equals(hash)) {
            throw new HubException(
                    "checksum mismatch for "
                            + name
                            + ": the hub says "
                            + hash
                            + ", the download has "
                            + actual);
        }
    }

    /**
     * The hash an ETag header carries (quotes and a weak {@code W/} dropped), or null if it is not
     * a sha1/sha256.
     */
    static String hashOf(String etag) {
        if (etag == null) {
            return null;
        }
        String h = etag.replace("W/", "").replace("\"", "").trim().toLowerCase(Locale.ROOT);
        return h.matches("[0-9a-f]{40}|[0-9a-f]{64}") ? h : null;
    }
}
