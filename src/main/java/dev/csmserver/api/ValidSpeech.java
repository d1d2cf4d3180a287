package dev.csmserver.api;

import dev.csmserver.audio.encode.AudioFormat;
import dev.csmserver.pipeline.GenerationRequest;

/**
 * A speech request after validation: the pipeline's request, how to deliver it, the seed used
 * (echoed as {@code X-Seed}) and the context id to store the generated turn under, if any.
 */
public record ValidSpeech(
        GenerationRequest request, AudioFormat format, boolean stream, long seed, String saveAs) {}
