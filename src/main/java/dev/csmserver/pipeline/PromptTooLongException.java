package dev.csmserver.pipeline;

/**
 * The prompt (context + target text) plus the requested audio does not fit the backbone's
 * 2048-position context; the reference raises {@code ValueError("Inputs too long")} here. The
 * caller must drop old context or ask for less audio.
 */
public class PromptTooLongException extends IllegalArgumentException {
    private final int promptRows;
    private final int maxFrames;
    private final int contextLimit;

    public PromptTooLongException(int promptRows, int maxFrames, int contextLimit) {
        super(
                "prompt of "
                        + promptRows
                        + " rows plus "
                        + maxFrames
                        + " audio frames exceeds the model's "
                        + contextLimit
                        + "-position context: shorten the text or context, or lower max_audio_length_ms");
        this.promptRows = promptRows;
        this.maxFrames = maxFrames;
        this.contextLimit = contextLimit;
    }

    public int promptRows() {
        return promptRows;
    }

    public int maxFrames() {
        return maxFrames;
    }

    public int contextLimit() {
        return contextLimit;
    }
}
