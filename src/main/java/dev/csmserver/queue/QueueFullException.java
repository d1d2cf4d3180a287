package dev.csmserver.queue;

/** The bounded queue is full; {@code retryAfterSeconds} estimates when a slot frees up. */
public class QueueFullException extends RuntimeException {
    private final long retryAfterSeconds;

    public QueueFullException(int capacity, long retryAfterSeconds) {
        this(capacity, retryAfterSeconds, "requests");
    }

    /** {@code what} names what waits ({@code requests}, {@code context encodes}). */
    public QueueFullException(int capacity, long retryAfterSeconds, String what) {
        super(
                "the inference queue is full ("
                        + capacity
                        + " "
                        + what
                        + " waiting); retry in about "
                        + retryAfterSeconds
                        + " s");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
