package dev.csmserver.queue;

import dev.csmserver.pipeline.GenerationRequest;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One generation on its way through the queue and the worker: the validated request, where its
 * audio goes, its {@link Cancellation}, its deadline and its timings (all {@link System#nanoTime}
 * based). Timing fields are written by the worker thread and read by anyone.
 */
public final class Job {
    private final AtomicBoolean ended = new AtomicBoolean();
    private final String id;
    private final GenerationRequest request;
    private final JobListener listener;
    private final Cancellation cancellation = new Cancellation();
    private final long submittedNanos;
    private volatile long deadlineNanos;
    private volatile long admittedNanos;
    private volatile long firstAudioNanos;
    private volatile long finishedNanos;
    private volatile int frames;

    public Job(String id, GenerationRequest request, JobListener listener) {
        this.id = id;
        this.request = request;
        this.listener = listener;
        this.submittedNanos = System.nanoTime();
        this.deadlineNanos = Long.MAX_VALUE;
    }

    public String id() {
        return id;
    }

    public GenerationRequest request() {
        return request;
    }

    public JobListener listener() {
        return listener;
    }

    /** Asks the worker to drop this job within one frame (client disconnect, shutdown). */
    public void cancel(String why) {
        cancellation.cancel(why);
    }

    public Cancellation cancellation() {
        return cancellation;
    }

    void deadline(Duration fromSubmit) {
        deadlineNanos = submittedNanos + fromSubmit.toNanos();
    }

    boolean pastDeadline(long nowNanos) {
        return nowNanos - deadlineNanos > 0;
    }

    void admitted(long now) {
        admittedNanos = now;
    }

    /** When it was submitted ({@code System.nanoTime()}). */
    long submittedAt() {
        return submittedNanos;
    }

    /** When it joined the batch ({@code System.nanoTime()}), 0 before. */
    long admittedAt() {
        return admittedNanos;
    }

    /** Records the first chunk; returns true the first time only. */
    boolean firstAudio(long now) {
        if (firstAudioNanos != 0) {
            return false;
        }
        firstAudioNanos = now;
        return true;
    }

    void addFrames(int n) {
        frames += n;
    }

    /** True the first time only: the job is ended exactly once, whoever ends it. */
    boolean claimEnd() {
        return ended.compareAndSet(false, true);
    }

    void finished(long now) {
        finishedNanos = now;
    }

    public int frames() {
        return frames;
    }

    public boolean isAdmitted() {
        return admittedNanos != 0;
    }

    public Duration timeToFirstAudio() {
        return firstAudioNanos == 0 ? null : Duration.ofNanos(firstAudioNanos - submittedNanos);
    }

    public Duration queueWait() {
        return admittedNanos == 0 ? null : Duration.ofNanos(admittedNanos - submittedNanos);
    }

    /** Submit to finish, or to now while running. */
    public Duration elapsed() {
        long end = finishedNanos != 0 ? finishedNanos : System.nanoTime();
        return Duration.ofNanos(end - submittedNanos);
    }
}
