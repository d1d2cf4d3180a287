package dev.csmserver.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.pipeline.AudioChunk;
import dev.csmserver.pipeline.FinishReason;
import dev.csmserver.pipeline.GenerationRequest;
import dev.csmserver.queue.InferenceWorkerTest.Collector;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * JVM errors on the inference thread (a real {@link OutOfMemoryError}, thrown by a job's audio sink
 * inside a batch step, or by a task between frames) fail the work they hit, through the worker's
 * one finish path, and the worker serves the next request; liveness turns DOWN only when step after
 * step fails.
 */
class WorkerErrorsTest extends DemoWorkerTests {
    private static byte[] soloAudio(GenerationRequest r) {
        Collector c = new Collector();
        pipeline.generate(r, c);
        return c.audio.toByteArray();
    }

    /** A collector that throws a real {@link OutOfMemoryError} at its {@code n}-th chunk. */
    static final class FailingCollector extends Collector {
        private final int failAt;

        FailingCollector(int failAt) {
            this.failAt = failAt;
        }

        @Override
        public synchronized void accept(AudioChunk chunk) {
            super.accept(chunk);
            if (chunks.get() == failAt) {
                throw new OutOfMemoryError("Java heap space (thrown by the test)");
            }
        }
    }

    private static Throwable failure(Collector c) {
        ExecutionException e =
                assertThrows(ExecutionException.class, () -> c.done.get(60, TimeUnit.SECONDS));
        return e.getCause();
    }

    /**
     * A real {@link OutOfMemoryError} thrown inside a batch step (by a job's audio sink, which the
     * step calls) fails the two requests of that batch, frees their native memory, and the worker
     * goes on: the next request gets its solo audio and liveness stays up.
     */
    @Test
    void anErrorInsideAStepFailsItsBatchAndTheWorkerServesTheNextRequest() throws Exception {
        GenerationRequest next = request("Next.", 400, 33);
        byte[] solo = soloAudio(next);
        int baseline = pipeline.liveArrayCount();
        InferenceQueue queue = queue(4, 2);
        Collector failing = new FailingCollector(3);
        Collector neighbour = new Collector();
        queue.submit(new Job("failing", request("Fails.", 4_000, 31), failing));
        queue.submit(new Job("neighbour", request("Neighbour.", 4_000, 32), neighbour));
        InferenceWorker worker = worker(queue);
        try {
            assertTrue(failure(failing) instanceof OutOfMemoryError);
            assertTrue(failure(neighbour) instanceof OutOfMemoryError, "the whole batch fails");
            assertEquals(1, worker.failuresInARow());
            assertTrue(worker.isHealthy(), "one failed step is no dead worker");
            Collector after = new Collector();
            queue.submit(new Job("next", next, after));
            assertEquals(FinishReason.MAX_LENGTH, after.done.get(60, TimeUnit.SECONDS));
            assertArrayEquals(solo, after.audio.toByteArray());
            assertEquals(0, worker.failuresInARow());
            assertEquals(
                    baseline,
                    worker.call(p -> p.liveArrayCount()).get(10, TimeUnit.SECONDS),
                    "the failed requests' native memory is released");
        } finally {
            worker.shutdown(Duration.ofSeconds(5));
        }
    }

    /**
     * Steps that fail one after the other make liveness say DOWN; a good step makes it UP again.
     */
    @Test
    void stepsFailingInARowTurnLivenessDownUntilAStepSucceeds() throws Exception {
        InferenceQueue queue = queue(4, 1);
        InferenceWorker worker = worker(queue);
        try {
            for (int i = 0; i < InferenceWorker.MAX_FAILURES_IN_A_ROW; i++) {
                assertTrue(worker.isHealthy(), "after " + i + " failures");
                Collector c = new FailingCollector(1);
                queue.submit(new Job("fails-" + i, request("Fails.", 400, 40 + i), c));
                assertTrue(failure(c) instanceof OutOfMemoryError);
            }
            assertFalse(worker.isHealthy(), "liveness after failure upon failure");
            assertTrue(worker.isAlive());
            Collector ok = new Collector();
            queue.submit(new Job("ok", request("Fine.", 240, 50), ok));
            assertEquals(FinishReason.MAX_LENGTH, ok.done.get(60, TimeUnit.SECONDS));
            assertTrue(worker.isHealthy());
        } finally {
            worker.shutdown(Duration.ofSeconds(5));
        }
    }

    /** An Error in a task between frames fails that task alone. */
    @Test
    void anErrorInATaskFailsThatTaskAlone() throws Exception {
        InferenceQueue queue = queue(4, 1);
        InferenceWorker worker = worker(queue);
        try {
            CompletableFuture<Integer> bad =
                    worker.call(
                            p -> {
                                throw new OutOfMemoryError("thrown by the test");
                            });
            ExecutionException e =
                    assertThrows(ExecutionException.class, () -> bad.get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof OutOfMemoryError);
            assertEquals(3, worker.call(p -> 3).get(30, TimeUnit.SECONDS));
            Collector c = new Collector();
            queue.submit(new Job("after", request("After.", 240, 60), c));
            assertEquals(FinishReason.MAX_LENGTH, c.done.get(60, TimeUnit.SECONDS));
            assertTrue(worker.isHealthy());
        } finally {
            worker.shutdown(Duration.ofSeconds(5));
        }
    }
}
