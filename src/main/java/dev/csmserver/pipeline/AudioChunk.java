package dev.csmserver.pipeline;

/**
 * Watermarked PCM for one or more consecutive generated frames (1920 samples per frame at 24 kHz),
 * in order; {@code firstFrame} is the index of the first frame it covers.
 */
public record AudioChunk(float[] samples, int sampleRateHz, int firstFrame, int frames) {}
