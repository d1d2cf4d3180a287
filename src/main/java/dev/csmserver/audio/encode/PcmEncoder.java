package dev.csmserver.audio.encode;

/** Raw signed 16-bit little-endian mono samples, no header. */
public final class PcmEncoder implements AudioEncoder {
    @Override
    public byte[] start() {
        return new byte[0];
    }

    @Override
    public byte[] encode(float[] samples) {
        return Pcm16.toLittleEndian(samples);
    }

    @Override
    public byte[] finish() {
        return new byte[0];
    }

    @Override
    public AudioFormat format() {
        return AudioFormat.PCM;
    }
}
