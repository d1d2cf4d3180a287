package dev.csmserver.audio;

/**
 * Mono PCM audio: float samples in [-1, 1] at {@code sampleRateHz}. The unit of exchange between
 * the WAV reader, the resampler, the codec adapter in {@code pipeline} and the output encoders.
 */
public record Pcm(float[] samples, int sampleRateHz) {
    public Pcm {
        if (sampleRateHz <= 0) {
            throw new IllegalArgumentException("sample rate must be positive, got " + sampleRateHz);
        }
    }

    public double durationSeconds() {
        return samples.length / (double) sampleRateHz;
    }
}
