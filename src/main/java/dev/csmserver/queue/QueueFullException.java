package dev.csmserver.queue;

/** The bounded queue is full; {@code retryAfterSeconds} estimates when a slot frees up. */
public class QueueFullException extends RuntimeException {
    private final long retryAfterSeconds;

    public QueueFullException(int capacity, long retryAfterSeconds) {
        super("the inference queue is full (" + capacity + " waiting); retry in about "
                + retryAfterSeconds + " s");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
