package dev.csmserver.audio.encode;

import dev.csmserver.audio.WavWriter;

/** Raw signed 16-bit little-endian mono samples, no header (the body of the WAV stream). */
public final class PcmEncoder implements AudioEncoder {
    @Override
    public byte[] start() {
        return new byte[0];
    }

    @Override
    public byte[] encode(float[] samples) {
        return WavWriter.encode(samples);
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
