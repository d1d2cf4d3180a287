package dev.csmserver.audio.encode;

import dev.csmserver.audio.WavWriter;

/**
 * Signed 16-bit little-endian mono samples per chunk: raw ({@link #raw()}, no header) or as a
 * streaming WAV ({@link #wav(int)}: one RIFF header with unknown sizes (0xFFFFFFFF) up front, so
 * the file plays while it is still being generated). The body bytes are the same in both.
 */
public final class PcmEncoder implements AudioEncoder {
    private final AudioFormat format;
    private final byte[] header;

    private PcmEncoder(AudioFormat format, byte[] header) {
        this.format = format;
        this.header = header;
    }

    public static PcmEncoder raw() {
        return new PcmEncoder(AudioFormat.PCM, new byte[0]);
    }

    public static PcmEncoder wav(int sampleRateHz) {
        return new PcmEncoder(AudioFormat.WAV, WavWriter.header(sampleRateHz));
    }

    @Override
    public byte[] start() {
        return header.clone();
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
        return format;
    }
}
