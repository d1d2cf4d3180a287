package dev.csmserver.queue;

import dev.csmserver.audio.Pcm;
import dev.csmserver.metrics.InferenceMetrics;
import dev.csmserver.pipeline.ChunkSink;
import dev.csmserver.pipeline.CsmPipeline;
import dev.csmserver.pipeline.FinishReason;
import dev.csmserver.pipeline.Generation;
import dev.csmserver.pipeline.GenerationRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the pipeline and every inference tensor. Each loop it runs one turn of a
 * pending task (one chunk of a context encode), admits waiting jobs into free batch slots, advances
 * the whole batch by one frame, then drops what finished, was cancelled or passed its deadline,
 * closing each dropped request's native state. Requests join and leave between frames (continuous
 * batching); each request's sampling is seeded on its own, so neighbours never change its output.
 *
 * <p>A failure while admitting or stepping, {@link Error}s such as {@link OutOfMemoryError}
 * included, fails the requests it touched (through {@link #finish}) and the worker goes on with the
 * next. After {@value #MAX_FAILURES_IN_A_ROW} failed steps or admissions in a row with no good step
 * between, {@link #isHealthy} says no (liveness DOWN, so the pod is restarted); a failure of the
 * loop's own bookkeeping stops the worker, failing everything it held. A long text read in parts
 * yields its slot between two parts when others wait ({@link ParkedReadings}).
 */
public final class InferenceWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceWorker.class);

    private final CsmPipeline pipeline;
    private final InferenceQueue queue;
    private final InferenceMetrics metrics;
    private final int maxBatch;
    private final long stallNanos;

    /** Failed steps or admissions in a row after which the worker counts as broken. */
    static final int MAX_FAILURES_IN_A_ROW = 3;

    /** Context encodes (and test probes), a turn of one between two frame steps. */
    private final WorkerTasks tasks;

    /** The admitted jobs in the running batch, each holding its generation. */
    private final List<Job> active = new ArrayList<>();

    private final ParkedReadings parked;
    private final Thread thread;
    private volatile long heartbeatNanos = System.nanoTime();
    private volatile int activeCount;
    private volatile boolean stopping;
    private volatile long stopByNanos = Long.MAX_VALUE;
    private volatile int failuresInARow;

    public InferenceWorker(CsmPipeline pipeline, InferenceQueue queue, InferenceMetrics metrics) {
        this.pipeline = pipeline;
        this.queue = queue;
        this.metrics = metrics;
        this.parked = new ParkedReadings(metrics);
        this.maxBatch = queue.options().maxBatch();
        this.stallNanos = queue.options().stallAfter().toNanos();
        this.tasks =
                new WorkerTasks(
                        queue.options().maxPendingEncodes(), metrics, queue::retryAfterSeconds);
        this.thread = new Thread(this::loop, "csm-inference");
        this.thread.setDaemon(true);
    }

    public InferenceWorker start() {
        thread.start();
        return this;
    }

    /**
     * Encodes {@code audio} (already at the codec's rate) with Mimi on the inference thread, one
     * chunk (2.56 s of audio) per turn: while requests generate, a running stream waits for at most
     * one chunk between two frames. At most {@link QueueOptions#maxPendingEncodes()} encodes are
     * pending (waiting or under way); beyond that the call fails at once with a {@link
     * QueueFullException} (429 with Retry-After). Cancelling the future stops the encode at its
     * next turn.
     */
    public CompletableFuture<int[][]> encode(Pcm audio) {
        return tasks.submit(new EncodeTask(pipeline, metrics, audio));
    }

    /**
     * Runs {@code task} once on the inference thread between frames (tests read native state this
     * way); it counts against the same bound as {@link #encode}.
     */
    public <T> CompletableFuture<T> call(Function<CsmPipeline, T> task) {
        return tasks.submit(
                new WorkerTasks.Task<T>() {
                    @Override
                    boolean turn() {
                        result.complete(task.apply(pipeline));
                        return true;
                    }
                });
    }

    /** Requests in the running batch now. */
    public int activeCount() {
        return activeCount;
    }

    /**
     * Alive, has finished a loop within the stall limit, and not failing step after step (see
     * {@link #MAX_FAILURES_IN_A_ROW}).
     */
    public boolean isHealthy() {
        return thread.isAlive()
                && System.nanoTime() - heartbeatNanos < stallNanos
                && failuresInARow < MAX_FAILURES_IN_A_ROW;
    }

    /** Failed steps or admissions since the last good step. */
    public int failuresInARow() {
        return failuresInARow;
    }

    public boolean isAlive() {
        return thread.isAlive();
    }

    public Duration sinceHeartbeat() {
        return Duration.ofNanos(System.nanoTime() - heartbeatNanos);
    }

    private void loop() {
        Throwable fatal = null;
        try {
            pipeline.reserveRequests(maxBatch); // on this thread: it owns every inference tensor
            while (true) {
                heartbeatNanos = System.nanoTime();
                tasks.runTurn();
                if (stopping && System.nanoTime() - stopByNanos > 0) {
                    active.forEach(j -> j.cancel("shutdown"));
                    tasks.abandonAll(WorkerTasks.shuttingDown());
                    parked.forEach(j -> j.cancel("shutdown"));
                }
                admit();
                if (active.isEmpty()) {
                    if (stopping && tasks.isEmpty()) {
                        break;
                    }
                    if (tasks.isEmpty()) {
                        Job next = queue.poll(50);
                        if (next != null) {
                            admit(new ArrayList<>(List.of(next)));
                        }
                    }
                    continue;
                }
                stepBatch();
                retire();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            // The loop's own bookkeeping failed (not a request's step or admission, which are
            // handled where they happen): nothing here can be trusted to go on.
            fatal = e;
            tasks.refuse();
            LOG.error("the inference worker failed and stops; liveness goes DOWN", e);
            metrics.error(e.getClass().getSimpleName());
        } finally {
            Throwable why =
                    fatal != null
                            ? new IllegalStateException("the inference worker failed", fatal)
                            : null;
            FinishReason end = why == null ? FinishReason.CANCELLED : FinishReason.ERROR;
            active.forEach(j -> finish(j, end, why));
            active.clear();
            parked.drain(j -> finish(j, end, why));
            activeCount = 0;
            if (fatal != null) {
                for (Job j : queue.close()) {
                    finish(j, FinishReason.ERROR, why);
                }
            }
            tasks.refuse();
            tasks.abandonAll(why != null ? why : WorkerTasks.shuttingDown());
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
        parked.endStale(System.nanoTime(), (j, why) -> finish(j, why, null));
        while (active.size() + jobs.size() < maxBatch) {
            Job back = parked.takeBefore(stopping ? null : queue.peek());
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
                sinks.add(job.sink(metrics));
            }
            try {
                List<Generation> gens = pipeline.startAll(requests, sinks);
                long now = System.nanoTime();
                for (int i = 0; i < jobs.size(); i++) {
                    jobs.get(i).admitted(gens.get(i), now);
                    active.add(jobs.get(i));
                    metrics.admitted(gens.get(i).partCount());
                }
                activeCount = active.size();
                metrics.activeBatch(activeCount);
                return;
            } catch (RuntimeException | Error e) {
                // An Error too: an OutOfMemoryError of the packed pass may not recur one by one.
                LOG.warn(
                        "packed admission of {} requests failed ({}); admitting them one by one",
                        jobs.size(),
                        e.toString());
            }
        }
        jobs.forEach(this::admitOne);
    }

    /** Starts the next part of a request between two parts and puts it (back) in the batch. */
    private void resume(Job job) {
        try {
            pipeline.nextPart(job.generation());
            metrics.part();
            active.add(job);
            activeCount = active.size();
            metrics.activeBatch(activeCount);
        } catch (RuntimeException | Error e) {
            LOG.error("request {}: its next part failed to start", job.id(), e);
            metrics.error(e.getClass().getSimpleName());
            finish(job, FinishReason.ERROR, e);
        }
    }

    /** Finishes a job cancelled or past its deadline while it waited; true if it was. */
    private boolean dropIfStale(Job job) {
        FinishReason why = job.staleReason(System.nanoTime());
        if (why != null) {
            finish(job, why, null);
        }
        return why != null;
    }

    private void admitOne(Job job) {
        if (dropIfStale(job)) {
            return;
        }
        try {
            Generation g = pipeline.start(job.request(), job.sink(metrics));
            job.admitted(g, System.nanoTime());
            active.add(job);
            metrics.admitted(g.partCount());
            activeCount = active.size();
            metrics.activeBatch(activeCount);
        } catch (RuntimeException e) {
            LOG.error("request {}: prefill failed", job.id(), e);
            metrics.error(e.getClass().getSimpleName());
            finish(job, FinishReason.ERROR, e);
        } catch (Error e) {
            failuresInARow++;
            LOG.error("request {}: prefill failed ({} in a row)", job.id(), failuresInARow, e);
            metrics.error(e.getClass().getSimpleName());
            finish(job, FinishReason.ERROR, e);
        }
    }

    private void stepBatch() {
        List<Generation> batch = new ArrayList<>(active.size());
        for (Job j : active) {
            if (!j.generation().isDone()) {
                batch.add(j.generation());
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            pipeline.step(batch);
            metrics.step(batch.size(), System.nanoTime() - t0);
            failuresInARow = 0;
        } catch (RuntimeException | Error e) {
            // A step fails as a whole (an OutOfMemoryError half way leaves the batch's states
            // out of step with each other): every request in it fails, its memory is freed, and
            // the next requests get a fresh batch.
            failuresInARow++;
            LOG.error(
                    "batch step failed ({} in a row); failing {} request(s)",
                    failuresInARow,
                    active.size(),
                    e);
            metrics.error(e.getClass().getSimpleName());
            for (Job j : active) {
                finish(j, FinishReason.ERROR, e);
            }
            active.clear();
            activeCount = 0;
            metrics.activeBatch(0);
        }
    }

    /** Ends what finished, was cancelled or timed out; parks or resumes what is between parts. */
    private void retire() {
        long now = System.nanoTime();
        List<Job> between = new ArrayList<>();
        for (Iterator<Job> it = active.iterator(); it.hasNext(); ) {
            Job j = it.next();
            Generation g = j.generation();
            FinishReason why = g.isDone() ? g.doneReason() : j.staleReason(now);
            if (why != null) {
                finish(j, why, null);
                it.remove();
            } else if (g.betweenParts()) {
                it.remove();
                between.add(j);
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
     * @param error the failure, or null
     */
    private void finish(Job job, FinishReason why, Throwable error) {
        if (!job.claimEnd()) {
            return;
        }
        Generation generation = job.releaseGeneration(); // null when it never started
        try {
            if (error != null) {
                job.listener().failed(error);
            } else if (generation != null) {
                generation.finish(why); // hands the codes to the listener
            } else {
                job.listener().finish(why, new int[0][]);
            }
        } catch (RuntimeException | Error e) {
            LOG.warn("request {}: listener failed on finish", job.id(), e);
        } finally {
            if (generation != null) {
                generation.close();
            }
        }
        queue.recordCompletion(job.recordEnd(why, pipeline.info().frameMs(), metrics));
    }

    /**
     * Graceful shutdown: refuses new work, cancels waiting jobs, lets running ones finish for up to
     * {@code grace}, then cancels them and waits for the thread.
     */
    public void shutdown(Duration grace) {
        stopping = true;
        tasks.refuse();
        for (Job j : queue.close()) {
            finish(j, FinishReason.CANCELLED, null);
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
