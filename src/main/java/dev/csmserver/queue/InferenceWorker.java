package dev.csmserver.queue;

import dev.csmserver.metrics.InferenceMetrics;
import dev.csmserver.pipeline.ActiveGeneration;
import dev.csmserver.pipeline.AudioChunk;
import dev.csmserver.pipeline.ChunkSink;
import dev.csmserver.pipeline.CsmPipeline;
import dev.csmserver.pipeline.FinishReason;
import dev.csmserver.pipeline.GenerationRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the pipeline and every inference tensor. Each loop it runs pending
 * pipeline tasks (context encoding), admits waiting jobs into free batch slots, advances the whole
 * batch by one frame, then drops what finished, was cancelled or passed its deadline, closing each
 * dropped request's native state. Requests join and leave between frames (continuous batching);
 * each request's sampling is seeded on its own, so neighbours never change its output. A long text
 * read in parts yields its slot between two parts when others wait ({@link ParkedReadings}).
 */
public final class InferenceWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceWorker.class);

    private final CsmPipeline pipeline;
    private final InferenceQueue queue;
    private final InferenceMetrics metrics;
    private final int maxBatch;
    private final long stallNanos;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

    /** Tasks handed in and not yet run; bounded by {@link QueueOptions#maxPendingEncodes()}. */
    private final AtomicInteger pendingTasks = new AtomicInteger();

    private final int maxPendingTasks;
    private final List<Running> active = new ArrayList<>();

    private final ParkedReadings parked;
    private final Thread thread;
    private volatile long heartbeatNanos = System.nanoTime();
    private volatile int activeCount;
    private volatile boolean stopping;
    private volatile long stopByNanos = Long.MAX_VALUE;

    public InferenceWorker(CsmPipeline pipeline, InferenceQueue queue, InferenceMetrics metrics) {
        this.pipeline = pipeline;
        this.queue = queue;
        this.metrics = metrics;
        this.parked = new ParkedReadings(metrics);
        this.maxBatch = queue.options().maxBatch();
        this.stallNanos = queue.options().stallAfter().toNanos();
        this.maxPendingTasks = queue.options().maxPendingEncodes();
        this.thread = new Thread(this::loop, "csm-inference");
        this.thread.setDaemon(true);
    }

    public InferenceWorker start() {
        thread.start();
        return this;
    }

    /**
     * Runs {@code task} on the inference thread between frames (Mimi encoding of context audio).
     * While requests generate, one task runs per frame step, so a running stream waits for at most
     * one encode between two frames; at most {@link QueueOptions#maxPendingEncodes()} tasks wait,
     * beyond that the call fails at once with a {@link QueueFullException} (429 with Retry-After).
     */
    public <T> CompletableFuture<T> call(Function<CsmPipeline, T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (stopping) {
            result.completeExceptionally(
                    new ServiceUnavailableException("the service is shutting down"));
            return result;
        }
        if (pendingTasks.incrementAndGet() > maxPendingTasks) {
            pendingTasks.decrementAndGet();
            result.completeExceptionally(
                    new QueueFullException(
                            maxPendingTasks, queue.retryAfterSeconds(), "context encodes"));
            return result;
        }
        tasks.add(
                () -> {
                    try {
                        result.complete(task.apply(pipeline));
                    } catch (RuntimeException | Error e) {
                        result.completeExceptionally(e);
                    } finally {
                        pendingTasks.decrementAndGet();
                    }
                });
        return result;
    }

    /** Requests in the running batch now. */
    public int activeCount() {
        return activeCount;
    }

    /** Alive and has finished a loop within the stall limit. */
    public boolean isHealthy() {
        return thread.isAlive() && System.nanoTime() - heartbeatNanos < stallNanos;
    }

    public boolean isAlive() {
        return thread.isAlive();
    }

    public Duration sinceHeartbeat() {
        return Duration.ofNanos(System.nanoTime() - heartbeatNanos);
    }

    private void loop() {
        try {
            while (true) {
                heartbeatNanos = System.nanoTime();
                runTasks();
                if (stopping && System.nanoTime() - stopByNanos > 0) {
                    active.forEach(r -> r.job().cancel("shutdown"));
                    parked.forEach(r -> r.job().cancel("shutdown"));
                }
                admit();
                if (active.isEmpty()) {
                    if (stopping) {
                        break;
                    }
                    Job next = queue.poll(50);
                    if (next != null) {
                        admit(new ArrayList<>(List.of(next)));
                    }
                    continue;
                }
                stepBatch();
                retire();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            active.forEach(r -> finish(r.job(), r.generation(), FinishReason.CANCELLED, null));
            active.clear();
            parked.drain(r -> finish(r.job(), r.generation(), FinishReason.CANCELLED, null));
            activeCount = 0;
            runTasks();
        }
    }

    /** All waiting tasks when nothing generates; one between two frame steps otherwise. */
    private void runTasks() {
        for (Runnable t; (t = tasks.poll()) != null; ) {
            t.run();
            if (!active.isEmpty() && !stopping) {
                break;
            }
        }
    }

    private void admit() {
        admit(new ArrayList<>());
    }

    /**
     * Admits {@code jobs} and whatever else waits, up to the free batch slots. Jobs admitted
     * together have their prompts prefilled as one packed pass (the backbone's weights read once);
     * should that fail, each is admitted on its own, so one bad request cannot fail the others.
     */
    private void admit(List<Job> jobs) {
        parked.endStale(System.nanoTime(), (r, why) -> finish(r.job(), r.generation(), why, null));
        while (active.size() + jobs.size() < maxBatch) {
            Running back = parked.takeBefore(stopping ? null : queue.peek());
            if (back != null) {
                resume(back);
                continue;
            }
            Job job = stopping ? null : queue.poll();
            if (job == null) {
                break;
            }
            jobs.add(job);
        }
        jobs.removeIf(this::dropIfStale);
        if (jobs.size() > 1) {
            List<GenerationRequest> requests = new ArrayList<>(jobs.size());
            List<ChunkSink> sinks = new ArrayList<>(jobs.size());
            for (Job job : jobs) {
                requests.add(job.request());
                sinks.add(sinkFor(job));
            }
            try {
                List<ActiveGeneration> gens = pipeline.startAll(requests, sinks);
                long now = System.nanoTime();
                for (int i = 0; i < jobs.size(); i++) {
                    jobs.get(i).admitted(now);
                    active.add(new Running(jobs.get(i), gens.get(i)));
                    metrics.admitted(gens.get(i).partCount());
                }
                activeCount = active.size();
                metrics.activeBatch(activeCount);
                return;
            } catch (RuntimeException e) {
                LOG.warn(
                        "packed admission of {} requests failed ({}); admitting them one by one",
                        jobs.size(),
                        e.toString());
            }
        }
        jobs.forEach(this::admitOne);
    }

    /** Starts the next part of a request between two parts and puts it (back) in the batch. */
    private void resume(Running r) {
        try {
            pipeline.nextPart(r.generation());
            metrics.part();
            active.add(r);
            activeCount = active.size();
            metrics.activeBatch(activeCount);
        } catch (RuntimeException e) {
            LOG.error("request {}: its next part failed to start", r.job().id(), e);
            metrics.error(e.getClass().getSimpleName());
            finish(r.job(), r.generation(), FinishReason.ERROR, e);
        }
    }

    /** Finishes a job cancelled or past its deadline while it waited; true if it was. */
    private boolean dropIfStale(Job job) {
        FinishReason why = new Running(job, null).staleReason(System.nanoTime());
        if (why != null) {
            finish(job, null, why, null);
        }
        return why != null;
    }

    private void admitOne(Job job) {
        if (dropIfStale(job)) {
            return;
        }
        try {
            ActiveGeneration g = pipeline.start(job.request(), sinkFor(job));
            job.admitted(System.nanoTime());
            active.add(new Running(job, g));
            metrics.admitted(g.partCount());
            activeCount = active.size();
            metrics.activeBatch(activeCount);
        } catch (RuntimeException e) {
            LOG.error("request {}: prefill failed", job.id(), e);
            metrics.error(e.getClass().getSimpleName());
            finish(job, null, FinishReason.ERROR, e);
        }
    }

    private ChunkSink sinkFor(Job job) {
        return new ChunkSink() {
            @Override
            public void accept(AudioChunk chunk) {
                job.addFrames(chunk.frames());
                if (job.firstAudio(System.nanoTime())) {
                    metrics.firstAudio(job.timeToFirstAudio());
                }
                job.listener().accept(chunk);
            }

            @Override
            public void finish(FinishReason reason, int[][] codes) {
                job.listener().finish(reason, codes);
            }
        };
    }

    private void stepBatch() {
        List<ActiveGeneration> batch = new ArrayList<>(active.size());
        for (Running r : active) {
            if (!r.generation().isDone()) {
                batch.add(r.generation());
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            pipeline.step(batch);
            metrics.step(batch.size(), System.nanoTime() - t0);
        } catch (RuntimeException e) {
            LOG.error("batch step failed; failing {} request(s)", active.size(), e);
            metrics.error(e.getClass().getSimpleName());
            for (Running r : active) {
                finish(r.job(), r.generation(), FinishReason.ERROR, e);
            }
            active.clear();
            activeCount = 0;
            metrics.activeBatch(0);
        }
    }

    /** Ends what finished, was cancelled or timed out; parks or resumes what is between parts. */
    private void retire() {
        long now = System.nanoTime();
        List<Running> between = new ArrayList<>();
        for (Iterator<Running> it = active.iterator(); it.hasNext(); ) {
            Running r = it.next();
            FinishReason why =
                    r.generation().isDone() ? r.generation().doneReason() : r.staleReason(now);
            if (why != null) {
                finish(r.job(), r.generation(), why, null);
                it.remove();
            } else if (r.generation().betweenParts()) {
                it.remove();
                between.add(r);
            }
        }
        parked.parkOrResume(between, queue.depth() > 0 && !stopping, now, this::resume);
        activeCount = active.size();
        metrics.activeBatch(activeCount);
    }

    /**
     * The one way a job ends, whatever ended it (end frame, length, cancel, deadline, shutdown, an
     * error before or during generation): its listener hears exactly once (finish with the codes,
     * or failed with the error), its native request state is closed, and the outcome is recorded.
     *
     * @param generation the job's generation, or null when it never started
     * @param error the failure, or null
     */
    private void finish(Job job, ActiveGeneration generation, FinishReason why, Throwable error) {
        if (!job.claimEnd()) {
            return;
        }
        try {
            if (error != null) {
                job.listener().failed(error);
            } else if (generation != null) {
                generation.finish(why); // hands the codes to the listener
            } else {
                job.listener().finish(why, new int[0][]);
            }
        } catch (RuntimeException e) {
            LOG.warn("request {}: listener failed on finish", job.id(), e);
        } finally {
            if (generation != null) {
                generation.close();
            }
        }
        record(job, why);
    }

    private void record(Job job, FinishReason why) {
        job.finished(System.nanoTime());
        double wall = job.elapsed().toNanos() / 1e9;
        double audio = job.frames() * pipeline.info().frameMs() / 1000.0;
        if (why == FinishReason.CANCELLED) {
            metrics.cancelled();
        }
        metrics.finished(why.name(), audio, wall);
        queue.recordCompletion(wall);
        Duration ttfa = job.timeToFirstAudio();
        LOG.info(
                "request id={} frames={} audio_s={} ttfa_ms={} rtf={} outcome={}{}",
                job.id(),
                job.frames(),
                String.format(Locale.ROOT, "%.2f", audio),
                ttfa == null ? "-" : ttfa.toMillis(),
                audio > 0 ? String.format(Locale.ROOT, "%.2f", wall / audio) : "-",
                why.name().toLowerCase(Locale.ROOT),
                job.cancellation().isCancelled() ? " (" + job.cancellation().reason() + ")" : "");
    }

    /**
     * Graceful shutdown: refuses new work, cancels waiting jobs, lets running ones finish for up to
     * {@code grace}, then cancels them and waits for the thread.
     */
    public void shutdown(Duration grace) {
        stopping = true;
        for (Job j : queue.close()) {
            finish(j, null, FinishReason.CANCELLED, null);
        }
        stopByNanos = System.nanoTime() + grace.toNanos();
        try {
            thread.join(grace.toMillis() + 5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(10));
    }
}
