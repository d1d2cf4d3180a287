package dev.csmserver.pipeline;

/**
 * One way of asking whether CUDA works in this process, and its answer: {@code what} names the
 * attempt (what was called, through which library), {@code outcome} says what came back, so an
 * error or a WARN line can list every attempt a device choice made.
 */
public record CudaAttempt(String what, boolean usable, String outcome) {

    public static CudaAttempt usable(String what, String outcome) {
        return new CudaAttempt(what, true, outcome);
    }

    public static CudaAttempt failed(String what, String outcome) {
        return new CudaAttempt(what, false, outcome);
    }

    @Override
    public String toString() {
        return what + ": " + outcome;
    }
}
