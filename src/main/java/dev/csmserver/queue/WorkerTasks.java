package dev.csmserver.queue;

import dev.csmserver.metrics.InferenceMetrics;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded line of work the inference worker does between frame steps (context encodes). Any
 * thread hands a task in; the worker thread gives the oldest one {@link #runTurn one turn} per
 * loop, so tasks run in order (an upload finishes before the next starts) and a running stream
 * waits for at most one turn between two frames. At most {@code max} tasks are pending (waiting or
 * under way); one more is refused at once with a {@link QueueFullException} (429 with Retry-After).
 */
final class WorkerTasks {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerTasks.class);

    private final ConcurrentLinkedQueue<Task<?>> line = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final int max;
    private final InferenceMetrics metrics;
    private final LongSupplier retryAfterSeconds;
    private volatile boolean refusing;

    WorkerTasks(int max, InferenceMetrics metrics, LongSupplier retryAfterSeconds) {
        this.max = max;
        this.metrics = metrics;
        this.retryAfterSeconds = retryAfterSeconds;
        metrics.bindPendingEncodes(pending::get);
    }

    /**
     * Work for the inference thread, done one {@link #turn} at a time. It completes {@link #result}
     * when it is over, and holds native state only between its turns.
     */
    abstract static class Task<T> {
        final CompletableFuture<T> result = new CompletableFuture<>();

        /** One turn of work; true when the task is over. */
        abstract boolean turn();

        /** Frees what the task holds; it gets no more turns. */
        void close() {}
    }

    /** Queues {@code task}, or completes its future at once with why it cannot run. */
    <T> CompletableFuture<T> submit(Task<T> task) {
        if (refusing) {
            task.result.completeExceptionally(shuttingDown());
            return task.result;
        }
        if (pending.incrementAndGet() > max) {
            pending.decrementAndGet();
            metrics.encodeRejected();
            task.result.completeExceptionally(
                    new QueueFullException(max, retryAfterSeconds.getAsLong(), "context encodes"));
            return task.result;
        }
        line.add(task);
        if (refusing && line.remove(task)) {
            // the worker may have let its last tasks go already: never leave this one waiting
            pending.decrementAndGet();
            task.result.completeExceptionally(shuttingDown());
        }
        return task.result;
    }

    boolean isEmpty() {
        return line.isEmpty();
    }

    /** Tasks waiting or under way. */
    int pending() {
        return pending.get();
    }

    /**
     * One turn of the oldest task (worker thread). Whatever it throws, {@link Error}s included,
     * fails that task alone.
     */
    void runTurn() {
        Task<?> t = line.peek();
        if (t == null) {
            return;
        }
        boolean over;
        try {
            over = t.turn();
        } catch (RuntimeException e) {
            t.result.completeExceptionally(e);
            over = true;
        } catch (Error e) {
            LOG.error("a task on the inference thread failed; it alone fails", e);
            metrics.error(e.getClass().getSimpleName());
            t.result.completeExceptionally(e);
            over = true;
        }
        if (over) {
            end(t);
        }
    }

    /** From now on new tasks are refused (any thread). */
    void refuse() {
        refusing = true;
    }

    /** Ends every task left with {@code why}, freeing what each holds (worker thread). */
    void abandonAll(Throwable why) {
        for (Task<?> t; (t = line.peek()) != null; ) {
            t.result.completeExceptionally(why);
            end(t);
        }
    }

    private void end(Task<?> t) {
        line.remove(t);
        try {
            t.close();
        } finally {
            pending.decrementAndGet();
        }
    }

    static ServiceUnavailableException shuttingDown() {
        return new ServiceUnavailableException("the service is shutting down");
    }
}
