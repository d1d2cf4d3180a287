package dev.csmserver.queue;

import java.time.Duration;

/**
 * Queue and worker settings: waiting jobs admitted before 429 ({@code capacity}), requests
 * stepped together ({@code maxBatch}), the per-request deadline from submission, and how long a
 * worker may go without finishing a loop before liveness calls it stalled.
 */
public record QueueOptions(int capacity, int maxBatch, Duration deadline, Duration stallAfter) {
    public QueueOptions {
        if (capacity < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("capacity and maxBatch must be >= 1");
        }
        if (deadline.isNegative() || deadline.isZero() || stallAfter.isNegative() || stallAfter.isZero()) {
            throw new IllegalArgumentException("deadline and stallAfter must be positive");
        }
    }
}
