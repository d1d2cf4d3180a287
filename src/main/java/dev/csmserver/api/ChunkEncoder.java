package dev.csmserver.api;

import dev.csmserver.audio.WavWriter;

/**
 * Turns a stream of PCM chunks into the bytes of one response format: {@link #start} once (the
 * WAV header with unknown sizes), {@link #encode} per chunk, {@link #finish} once (an encoder's
 * tail). Not thread-safe; one per response.
 */
public interface ChunkEncoder {
    byte[] start();

    byte[] encode(float[] samples);

    byte[] finish();

    /** The encoder for {@code format} at {@code sampleRateHz}. */
    static ChunkEncoder of(AudioFormat format, int sampleRateHz) {
        switch (format) {
            case WAV:
                return new ChunkEncoder() {
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
                };
            case PCM:
                return new ChunkEncoder() {
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
                };
            default:
                throw new ApiException(ProblemType.UNSUPPORTED_FORMAT, format.extension() + " is not available");
        }
    }
}
