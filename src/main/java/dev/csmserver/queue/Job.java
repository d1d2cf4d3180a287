package dev.csmserver.queue;

import dev.csmserver.metrics.InferenceMetrics;
import dev.csmserver.pipeline.AudioChunk;
import dev.csmserver.pipeline.ChunkSink;
import dev.csmserver.pipeline.FinishReason;
import dev.csmserver.pipeline.Generation;
import dev.csmserver.pipeline.GenerationRequest;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's lifecycle through the queue and the worker: the validated request, where its audio
 * goes, its {@link Cancellation}, its deadline, its timings (all {@link System#nanoTime} based)
 * and, once admitted, its {@link Generation} (the pipeline's per-request state, until it ends).
 * Timing fields are written by the worker thread and read by anyone; the generation is the worker
 * thread's alone.
 */
public final class Job {
    /** The request log line keeps the worker's logger name (log filters rely on it). */
    private static final Logger LOG = LoggerFactory.getLogger(InferenceWorker.class);

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

    /** Its generation from admission to its end; worker-thread only. */
    private Generation generation;

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

    /** Takes {@code g} as its generation: the job joined the batch at {@code now}. */
    void admitted(Generation g, long now) {
        generation = g;
        admittedNanos = now;
    }

    /** Its generation: null before admission and once ended (worker thread). */
    Generation generation() {
        return generation;
    }

    /** Hands over its generation (to be finished and closed) and forgets it; null when none. */
    Generation releaseGeneration() {
        Generation g = generation;
        generation = null;
        return g;
    }

    /** Why the job must end now although its generation goes on: cancelled, past its deadline. */
    FinishReason staleReason(long now) {
        return cancellation.isCancelled()
                ? FinishReason.CANCELLED
                : pastDeadline(now) ? FinishReason.DEADLINE : null;
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

    /**
     * Where the worker sends this job's audio: counts frames and the first audio, then hands each
     * chunk to the listener.
     */
    ChunkSink sink(InferenceMetrics metrics) {
        return new ChunkSink() {
            @Override
            public void accept(AudioChunk chunk) {
                addFrames(chunk.frames());
                if (firstAudio(System.nanoTime())) {
                    metrics.firstAudio(timeToFirstAudio());
                }
                listener.accept(chunk);
            }

            @Override
            public void finish(FinishReason reason, int[][] codes) {
                listener.finish(reason, codes);
            }
        };
    }

    /**
     * Marks the job ended {@code why}, records it in {@code metrics} and its log line; returns its
     * submit-to-end seconds.
     */
    double recordEnd(FinishReason why, double frameMs, InferenceMetrics metrics) {
        finishedNanos = System.nanoTime();
        double wall = elapsed().toNanos() / 1e9;
        double audio = frames * frameMs / 1000.0;
        if (why == FinishReason.CANCELLED) {
            metrics.cancelled();
        }
        metrics.finished(why.name(), audio, wall);
        Duration ttfa = timeToFirstAudio();
        LOG.info(
                "request id={} frames={} audio_s={} ttfa_ms={} rtf={} outcome={}{}",
                id,
                frames,
                String.format(Locale.ROOT, "%.2f", audio),
                ttfa == null ? "-" : ttfa.toMillis(),
                audio > 0 ? String.format(Locale.ROOT, "%.2f", wall / audio) : "-",
                why.name().toLowerCase(Locale.ROOT),
                cancellation.isCancelled() ? " (" + cancellation.reason() + ")" : "");
        return wall;
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
