package dev.csmserver.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.pipeline.AudioChunk;
import dev.csmserver.pipeline.FinishReason;
import dev.csmserver.pipeline.GenerationRequest;
import dev.csmserver.pipeline.PromptTooLongException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The worker on the real demo pipeline: batching, admission, cancellation, queue-full, memory. */
class InferenceWorkerTest extends DemoWorkerTests {
    /** Collects a job's audio and its end. */
    static class Collector implements JobListener {
        final ByteArrayOutputStream audio = new ByteArrayOutputStream();
        final CompletableFuture<FinishReason> done = new CompletableFuture<>();
        final AtomicInteger chunks = new AtomicInteger();
        final CountDownLatch firstChunk = new CountDownLatch(1);
        volatile int chunksAtCancel = -1;

        @Override
        public synchronized void accept(AudioChunk chunk) {
            ByteBuffer b = ByteBuffer.allocate(chunk.samples().length * 4);
            b.asFloatBuffer().put(chunk.samples());
            audio.writeBytes(b.array());
            chunks.incrementAndGet();
            firstChunk.countDown();
        }

        @Override
        public void finish(FinishReason reason, int[][] codes) {
            done.complete(reason);
        }

        @Override
        public void failed(Throwable error) {
            done.completeExceptionally(error);
        }
    }

    /** Each request's audio bytes, run alone on the calling thread. */
    private static List<byte[]> soloAudio(List<GenerationRequest> requests) {
        List<byte[]> solo = new ArrayList<>();
        for (GenerationRequest r : requests) {
            Collector c = new Collector();
            pipeline.generate(r, c);
            solo.add(c.audio.toByteArray());
        }
        return solo;
    }

    /** Waits for every job and compares its audio with its solo run's, byte for byte. */
    private static void awaitSoloAudio(List<Collector> collectors, List<byte[]> solo)
            throws Exception {
        for (int i = 0; i < collectors.size(); i++) {
            collectors.get(i).done.get(60, TimeUnit.SECONDS);
            assertArrayEquals(solo.get(i), collectors.get(i).audio.toByteArray(), "job " + i);
        }
    }

    /** The worker thread owns the arrays: read the count from it, between frames. */
    private static void assertBaseline(InferenceWorker worker, int baseline) throws Exception {
        int after = worker.call(p -> p.liveArrayCount()).get(10, TimeUnit.SECONDS);
        assertEquals(baseline, after, "per-request native memory is released");
    }

    /** Submits one job per request, each with its own {@link Collector}. */
    private static List<Job> submitAll(
            InferenceQueue queue, List<GenerationRequest> requests, String idPrefix) {
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            Job job = new Job(idPrefix + i, requests.get(i), new Collector());
            jobs.add(job);
            queue.submit(job);
        }
        return jobs;
    }

    private static List<Collector> collectors(List<Job> jobs) {
        List<Collector> out = new ArrayList<>();
        for (Job j : jobs) {
            out.add((Collector) j.listener());
        }
        return out;
    }

    @Test
    void batchedJobsEqualTheirSoloRunsAndMemoryReturnsToBaseline() throws Exception {
        List<GenerationRequest> requests =
                List.of(
                        request("One.", 400, 1),
                        request("Two, a bit longer.", 880, 2),
                        request("Three.", 640, 3));
        List<byte[]> solo = soloAudio(requests);
        int baseline = pipeline.liveArrayCount();
        InferenceQueue queue = queue(8, 2);
        InferenceWorker worker = worker(queue);
        try {
            List<Collector> collectors = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                Collector c = new Collector();
                collectors.add(c);
                queue.submit(new Job("job-" + i, requests.get(i), c));
            }
            awaitSoloAudio(collectors, solo);
            assertBaseline(worker, baseline);
        } finally {
            worker.shutdown(Duration.ofSeconds(5));
        }
    }

    /**
     * Jobs waiting together are admitted together, their prompts prefilled as one packed pass: each
     * still gets exactly its solo audio, and memory returns to baseline.
     */
    @Test
    void jobsWaitingTogetherArePrefilledTogetherAndEqualTheirSoloRuns() throws Exception {
        List<GenerationRequest> requests =
                List.of(
                        request("A short one.", 320, 11),
                        request("Another one, with rather more words in it.", 480, 12),
                        request("Hi.", 400, 13));
        List<byte[]> solo = soloAudio(requests);
        int baseline = pipeline.liveArrayCount();
        InferenceQueue queue = queue(8, 4);
        List<Job> jobs =
                submitAll(queue, requests, "packed-"); // all waiting before the worker starts
        List<Collector> collectors = collectors(jobs);
        InferenceWorker worker = worker(queue);
        try {
            awaitSoloAudio(collectors, solo);
            assertTrue(jobs.get(0).admittedAt() != 0);
            for (Job j : jobs) {
                assertEquals(
                        jobs.get(0).admittedAt(),
                        j.admittedAt(),
                        "admitted in one packed admission");
            }
            assertBaseline(worker, baseline);
        } finally {
            worker.shutdown(Duration.ofSeconds(5));
        }
    }

    /**
     * A request that cannot be admitted fails alone; the ones waiting with it are admitted one by
     * one.
     */
    @Test
    void aRefusedRequestDoesNotFailThoseAdmittedWithIt() throws Exception {
        List<GenerationRequest> requests =
                List.of(
                        request("First.", 240, 21),
                        request("Far too long to fit.", 2040 * 80, 22),
                        request("Third.", 240, 23));
        List<byte[]> solo = soloAudio(List.of(requests.get(0), requests.get(2)));
        InferenceQueue queue = queue(8, 4);
        List<Collector> collectors = collectors(submitAll(queue, requests, "mixed-"));
        InferenceWorker worker = worker(queue);
        try {
            ExecutionException refused =
                    assertThrows(
                            ExecutionException.class,
                            () -> collectors.get(1).done.get(60, TimeUnit.SECONDS));
            assertTrue(
                    refused.getCause() instanceof PromptTooLongException,
                    refused.getCause().toString());
            assertEquals(FinishReason.MAX_LENGTH, collectors.get(0).done.get(60, TimeUnit.SECONDS));
            assertEquals(FinishReason.MAX_LENGTH, collectors.get(2).done.get(60, TimeUnit.SECONDS));
            assertArrayEquals(solo.get(0), collectors.get(0).audio.toByteArray());
            assertArrayEquals(solo.get(1), collectors.get(2).audio.toByteArray());
        } finally {
            worker.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void cancellingFreesTheSlotWithinAFrame() throws Exception {
        InferenceQueue queue = queue(4, 1);
        InferenceWorker worker = worker(queue);
        try {
            Collector c = new Collector();
            Job job = new Job("long", request("A long one.", 90_000, 7), c);
            queue.submit(job);
            assertTrue(c.firstChunk.await(30, TimeUnit.SECONDS));
            int atCancel = c.chunks.get();
            job.cancel("test");
            assertEquals(FinishReason.CANCELLED, c.done.get(10, TimeUnit.SECONDS));
            assertTrue(
                    c.chunks.get() <= atCancel + 1,
                    "at most the frame in flight: " + atCancel + " -> " + c.chunks.get());
            Collector next = new Collector();
            queue.submit(new Job("next", request("Next.", 160, 8), next));
            assertTrue(
                    next.done.get(30, TimeUnit.SECONDS) != FinishReason.ERROR,
                    "the one slot is free again");
        } finally {
            worker.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void aFullQueueRefusesWithARetryAfterEstimate() throws Exception {
        InferenceQueue queue = queue(1, 1);
        // no worker yet: nothing leaves the queue
        queue.submit(new Job("a", request("A.", 160, 1), new Collector()));
        QueueFullException e =
                assertThrows(
                        QueueFullException.class,
                        () -> queue.submit(new Job("b", request("B.", 160, 2), new Collector())));
        assertTrue(e.retryAfterSeconds() >= 1);
        InferenceWorker worker = worker(queue);
        worker.shutdown(Duration.ofSeconds(5));
        assertThrows(
                ServiceUnavailableException.class,
                () -> queue.submit(new Job("c", request("C.", 160, 3), new Collector())));
    }

    @Test
    void contextEncodesBeyondTheBoundAreRefusedAtOnceAndTheRestRun() throws Exception {
        InferenceQueue queue = queue(4, 2);
        InferenceWorker worker = worker(queue);
        try {
            CountDownLatch release = new CountDownLatch(1);
            List<CompletableFuture<Integer>> accepted = new ArrayList<>();
            accepted.add(
                    worker.call(
                            p -> {
                                try {
                                    release.await(); // holds the inference thread, as a long
                                    // encode would
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                                return 0;
                            }));
            for (int i = 1; i < QueueOptions.DEFAULT_MAX_PENDING_ENCODES; i++) {
                int n = i;
                accepted.add(worker.call(p -> n));
            }
            CompletableFuture<Integer> refused = worker.call(p -> -1);
            ExecutionException e =
                    assertThrows(ExecutionException.class, () -> refused.get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof QueueFullException, e.toString());
            assertTrue(((QueueFullException) e.getCause()).retryAfterSeconds() >= 1);
            release.countDown();
            for (int i = 0; i < accepted.size(); i++) {
                assertEquals(i, accepted.get(i).get(30, TimeUnit.SECONDS));
            }
            assertEquals(
                    7, worker.call(p -> 7).get(30, TimeUnit.SECONDS), "the bound frees up again");
        } finally {
            worker.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void aRunningStreamWaitsForAtMostOneEncodeBetweenTwoFrames() throws Exception {
        InferenceQueue queue = queue(4, 2);
        InferenceWorker worker = worker(queue);
        try {
            Job job = new Job("long", request("A long one.", 8_000, 11), new Collector());
            queue.submit(job);
            Collector c = (Collector) job.listener();
            assertTrue(c.firstChunk.await(30, TimeUnit.SECONDS));
            List<CompletableFuture<Integer>> seen = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                seen.add(worker.call(p -> job.frames())); // frames made when the task ran
            }
            int previous = -1;
            for (CompletableFuture<Integer> f : seen) {
                int frames = f.get(30, TimeUnit.SECONDS);
                assertTrue(
                        frames > previous,
                        "a frame step between two encodes: " + frames + " after " + previous);
                previous = frames;
            }
            job.cancel("test over");
            c.done.get(30, TimeUnit.SECONDS);
        } finally {
            worker.shutdown(Duration.ofSeconds(5));
        }
    }
}
