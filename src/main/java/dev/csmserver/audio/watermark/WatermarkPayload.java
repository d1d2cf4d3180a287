package dev.csmserver.audio.watermark;

/**
 * The 32 bits a mark carries: a 16-bit key id (which secret made it, so keys can be rotated) and a
 * 16-bit service id (which deployment produced the audio). Both are unsigned 16-bit values.
 */
public record WatermarkPayload(int keyId, int serviceId) {
    public WatermarkPayload {
        if (keyId < 0 || keyId > 0xFFFF || serviceId < 0 || serviceId > 0xFFFF) {
            throw new IllegalArgumentException(
                    "key id and service id must be in 0..65535, got " + keyId + ", " + serviceId);
        }
    }

    /** The payload as one 32-bit word, key id in the high half. */
    public int bits() {
        return (keyId << 16) | serviceId;
    }

    /** Inverse of {@link #bits()}. */
    public static WatermarkPayload fromBits(int bits) {
        return new WatermarkPayload(bits >>> 16, bits & 0xFFFF);
    }
}
