package dev.csmserver.audio.watermark;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * SHA-256 in counter mode over (key digest, purpose, counter): a keyed, platform-independent source
 * of pseudo-random words. Without the secret the carrier cannot be predicted, which is what keeps a
 * non-default key's mark private.
 */
final class KeyStream {
    private final byte[] prefix;
    private long counter;
    private ByteBuffer block = ByteBuffer.allocate(0);

    KeyStream(byte[] digest, String purpose) {
        byte[] p = purpose.getBytes(StandardCharsets.UTF_8);
        prefix = new byte[digest.length + p.length];
        System.arraycopy(digest, 0, prefix, 0, digest.length);
        System.arraycopy(p, 0, prefix, digest.length, p.length);
    }

    long nextLong() {
        if (block.remaining() < Long.BYTES) {
            byte[] input =
                    ByteBuffer.allocate(prefix.length + Long.BYTES)
                            .put(prefix)
                            .putLong(counter++)
                            .array();
            block = ByteBuffer.wrap(WatermarkKey.sha256(input));
        }
        return block.getLong();
    }

    /** Uniform in [0, bound). */
    int nextInt(int bound) {
        return (int) Long.remainderUnsigned(nextLong(), bound);
    }
}
