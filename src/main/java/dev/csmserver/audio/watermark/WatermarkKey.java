package dev.csmserver.audio.watermark;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A watermark key: the secret that seeds the spread-spectrum carrier (whoever holds it can embed
 * and detect) plus the payload written into every marked stream. The secret is never stored, only
 * its SHA-256 digest, which seeds every pseudo-random choice of the mark.
 *
 * <p>{@link #defaultKey()} is public, like the reference's {@code CSM_1B_GH_WATERMARK}: anyone can
 * detect (and therefore also forge or strip) marks made with it. Deployments should configure their
 * own secret with {@link #fromSecret(String, WatermarkPayload)}.
 */
public final class WatermarkKey {
    /**
     * The public default secret. Its payload reuses the first four bytes of the reference's public
     * key {@code [212, 211, 146, 56, 201]}: key id 0xD4D3, service id 0x9238.
     */
    public static final String DEFAULT_SECRET = "csm-server public watermark key v1";

    public static final WatermarkPayload DEFAULT_PAYLOAD = new WatermarkPayload(0xD4D3, 0x9238);

    private final byte[] digest;
    private final WatermarkPayload payload;

    private WatermarkKey(byte[] digest, WatermarkPayload payload) {
        this.digest = digest;
        this.payload = payload;
    }

    /** The documented public key; see the class comment. */
    public static WatermarkKey defaultKey() {
        return fromSecret(DEFAULT_SECRET, DEFAULT_PAYLOAD);
    }

    /** A key from a configured secret string (any non-blank text) and the payload to embed. */
    public static WatermarkKey fromSecret(String secret, WatermarkPayload payload) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("watermark secret must not be blank");
        }
        if (payload == null) {
            throw new IllegalArgumentException("watermark payload must not be null");
        }
        return new WatermarkKey(sha256(secret.getBytes(StandardCharsets.UTF_8)), payload);
    }

    public WatermarkPayload payload() {
        return payload;
    }

    /** True when both keys derive from the same secret (payloads may differ). */
    public boolean sameSecret(WatermarkKey other) {
        return MessageDigest.isEqual(digest, other.digest);
    }

    /** A deterministic stream of pseudo-random 64-bit words for one purpose of this key. */
    KeyStream stream(String purpose) {
        return new KeyStream(digest, purpose);
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }

    @Override
    public String toString() {
        return "WatermarkKey[secret=<hidden>, payload=" + payload + "]";
    }
}
