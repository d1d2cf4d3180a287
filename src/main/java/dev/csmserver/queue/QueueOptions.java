package dev.csmserver.queue;

import java.time.Duration;

/**
 * Queue and worker settings: waiting jobs admitted before 429 ({@code capacity}), requests stepped
 * together ({@code maxBatch}), the per-request deadline from submission, and how long a worker may
 * go without finishing a loop before liveness calls it stalled; and how many context encodes may
 * wait for the inference thread ({@code maxPendingEncodes}) before uploads get 429.
 */
public record QueueOptions(
        int capacity, int maxBatch, Duration deadline, Duration stallAfter, int maxPendingEncodes) {
    /** The default bound on waiting context encodes. */
    public static final int DEFAULT_MAX_PENDING_ENCODES = 8;

    public QueueOptions {
        if (capacity < 1 || maxBatch < 1 || maxPendingEncodes < 1) {
            throw new IllegalArgumentException(
                    "capacity, maxBatch and maxPendingEncodes must be >= 1");
        }
        if (deadline.isNegative()
                || deadline.isZero()
                || stallAfter.isNegative()
                || stallAfter.isZero()) {
            throw new IllegalArgumentException("deadline and stallAfter must be positive");
        }
    }

    /** With the default bound on waiting context encodes. */
    public QueueOptions(int capacity, int maxBatch, Duration deadline, Duration stallAfter) {
        this(capacity, maxBatch, deadline, stallAfter, DEFAULT_MAX_PENDING_ENCODES);
    }
}
