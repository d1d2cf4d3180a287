package dev.csmserver.pipeline;

/**
 * What a loaded pipeline is: a label for logs and the {@code X-Model} header ({@code demo} is the
 * built-in random model and says so), the audio geometry and the backbone's context limit.
 */
public record ModelInfo(
        String label,
        boolean demo,
        String device,
        int sampleRateHz,
        int samplesPerFrame,
        int numCodebooks,
        int codebookSize,
        int contextLimit) {

    /** Milliseconds of audio per generated frame (80 for Mimi at 12.5 Hz). */
    public double frameMs() {
        return samplesPerFrame * 1000.0 / sampleRateHz;
    }
}
