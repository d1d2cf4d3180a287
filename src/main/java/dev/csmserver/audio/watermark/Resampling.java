package dev.csmserver.audio.watermark;

/** Brings detector input to 24 kHz. Placeholder until the shared SincResampler lands. */
final class Resampling {
    private Resampling() {}

    static float[] resample(float[] samples, int fromHz, int toHz) {
        throw new IllegalArgumentException("only 24 kHz input is supported yet, got " + fromHz);
    }
}
