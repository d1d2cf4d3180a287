package dev.csmserver.pipeline;

/**
 * Where getting a model ready stands, for readiness ({@code /q/health/ready} shows the phase while
 * the model is not ready) and the CLI. Downloads and weight loads call {@link #phase} as often as
 * they like (it must be cheap); the log lines a user reads are throttled separately, at most one
 * every {@link ProgressLog#INTERVAL} per task.
 */
@FunctionalInterface
public interface LoadProgress {
    /** Ignores every phase. */
    LoadProgress NONE = phase -> {};

    /**
     * The phase now, e.g. {@code downloading 43%}, {@code loading weights 12/21}, {@code warming
     * up}.
     */
    void phase(String phase);
}
