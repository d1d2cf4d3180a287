package dev.csmserver.queue;

import dev.csmserver.metrics.InferenceMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The bounded line in front of the inference worker. {@link #submit} never blocks: when {@code
 * capacity} jobs are already waiting it throws {@link QueueFullException} with a retry-after
 * estimated from recent throughput (average request time, divided over the batch slots), so load
 * turns into 429s instead of memory growth.
 */
public final class InferenceQueue {
    private final QueueOptions options;
    private final InferenceMetrics metrics;
    private final BlockingQueue<Job> waiting;
    private volatile boolean closed;

    /** Exponentially weighted mean of submit-to-finish seconds. */
    private volatile double meanJobSeconds = 5.0;

    public InferenceQueue(QueueOptions options, InferenceMetrics metrics) {
        this.options = options;
        this.metrics = metrics;
        this.waiting = new ArrayBlockingQueue<>(options.capacity());
        metrics.bindQueueDepth(waiting::size);
    }

    /** Enqueues {@code job}; the worker admits it into the batch between frames. */
    public void submit(Job job) {
        if (closed) {
            throw new ServiceUnavailableException("the service is shutting down");
        }
        job.deadline(options.deadline());
        if (!waiting.offer(job)) {
            metrics.rejected();
            throw new QueueFullException(options.capacity(), retryAfterSeconds());
        }
    }

    /**
     * Seconds until a slot is likely free: waiting jobs over batch slots, times the mean job time.
     */
    public long retryAfterSeconds() {
        double rounds = (waiting.size() + 1.0) / options.maxBatch();
        return Math.max(1, Math.min(3600, (long) Math.ceil(rounds * meanJobSeconds)));
    }

    public int depth() {
        return waiting.size();
    }

    public QueueOptions options() {
        return options;
    }

    /** Feeds the retry-after estimate with one finished job's duration. */
    void recordCompletion(double seconds) {
        meanJobSeconds = 0.8 * meanJobSeconds + 0.2 * seconds;
    }

    Job poll() {
        return waiting.poll();
    }

    /** The job that waits longest, left in the queue; null when none waits. */
    Job peek() {
        return waiting.peek();
    }

    Job poll(long millis) throws InterruptedException {
        return waiting.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Refuses new work; returns the jobs that were still waiting. */
    List<Job> close() {
        closed = true;
        List<Job> left = new ArrayList<>();
        waiting.drainTo(left);
        return left;
    }

    public boolean isClosed() {
        return closed;
    }
}
