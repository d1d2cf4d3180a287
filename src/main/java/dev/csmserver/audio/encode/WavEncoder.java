package dev.csmserver.audio.encode;

import dev.csmserver.audio.WavWriter;

/**
 * Streaming WAV: one RIFF header with unknown sizes (0xFFFFFFFF) up front, then 16-bit PCM body
 * bytes per chunk, so the file plays while it is still being generated.
 */
public final class WavEncoder implements AudioEncoder {
    private final int sampleRateHz;

    public WavEncoder(int sampleRateHz) {
        this.sampleRateHz = sampleRateHz;
    }

    @Override
    public byte[] start() {
        return WavWriter.header(sampleRateHz);
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
        return AudioFormat.WAV;
    }
}
