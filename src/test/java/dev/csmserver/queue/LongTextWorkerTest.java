package dev.csmserver.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.metrics.InferenceMetrics;
import dev.csmserver.pipeline.CsmPipeline;
import dev.csmserver.pipeline.FinishReason;
import dev.csmserver.pipeline.GenerationRequest;
import dev.csmserver.pipeline.PartPolicy;
import dev.csmserver.pipeline.PipelineOptions;
import dev.csmserver.pipeline.SamplingParams;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Long texts in the worker, on the real demo pipeline: a request read in parts yields its slot
 * between parts to a waiting request, keeps its exact audio, and ends whole when its client goes.
 */
class LongTextWorkerTest {
    private static final String LONG =
            "The first sentence of a long reading starts here. "
                    + "A second one follows it, a little longer than the first. "
                    + "Then a third, and a fourth; the chapter goes on and on. "
                    + "A fifth sentence, nearly the last. And the end of it.";

    private static CsmPipeline pipeline;

    @BeforeAll
    static void load() {
        pipeline = CsmPipeline.load(PipelineOptions.demo());
        pipeline.partPolicy(new PartPolicy(40, 400, 40, 2));
    }

    @AfterAll
    static void close() {
        pipeline.close();
    }

    private static GenerationRequest longRequest(long seed) {
        return new GenerationRequest(LONG, 0, List.of(), 20_000, SamplingParams.seeded(seed))
                .readWhole();
    }

    private static InferenceQueue queue(int maxBatch, InferenceMetrics metrics) {
        return new InferenceQueue(
                new QueueOptions(8, maxBatch, Duration.ofMinutes(5), Duration.ofMinutes(1)),
                metrics);
    }

    @Test
    void aShortRequestArrivingDuringALongOneFinishesBeforeItEvenWithOneSlot() throws Exception {
        GenerationRequest long1 = longRequest(21);
        assertTrue(pipeline.plan(long1).size() >= 4, "parts: " + pipeline.plan(long1).size());
        InferenceWorkerTest.Collector solo = new InferenceWorkerTest.Collector();
        pipeline.generate(long1, solo);
        int baseline = pipeline.liveArrayCount();

        InferenceMetrics metrics = new InferenceMetrics(new SimpleMeterRegistry());
        InferenceQueue queue = queue(1, metrics); // one slot: without yielding, short waits it out
        InferenceWorker worker = new InferenceWorker(pipeline, queue, metrics).start();
        try {
            InferenceWorkerTest.Collector longOut = new InferenceWorkerTest.Collector();
            queue.submit(new Job("long", long1, longOut));
            assertTrue(longOut.firstChunk.await(60, TimeUnit.SECONDS));
            InferenceWorkerTest.Collector shortOut = new InferenceWorkerTest.Collector();
            queue.submit(
                    new Job(
                            "short",
                            new GenerationRequest(
                                    "Short.", 0, List.of(), 240, SamplingParams.seeded(2)),
                            shortOut));
            assertEquals(FinishReason.MAX_LENGTH, shortOut.done.get(60, TimeUnit.SECONDS));
            assertFalse(longOut.done.isDone(), "the long reading ended before the short request");
            assertEquals(FinishReason.MAX_LENGTH, longOut.done.get(60, TimeUnit.SECONDS));
            assertTrue(metrics.partsYieldedCount() >= 1, "the long request never yielded");
            assertArrayEquals(
                    solo.audio.toByteArray(),
                    longOut.audio.toByteArray(),
                    "yielding between parts changed the audio");
            assertEquals(
                    baseline,
                    (int) worker.call(CsmPipeline::liveArrayCount).get(10, TimeUnit.SECONDS));
        } finally {
            worker.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void aClientGoneAfterTheFirstPartEndsTheWholeReadingAndFreesItsState() throws Exception {
        int baseline = pipeline.liveArrayCount();
        InferenceMetrics metrics = new InferenceMetrics(new SimpleMeterRegistry());
        InferenceQueue queue = queue(2, metrics);
        InferenceWorker worker = new InferenceWorker(pipeline, queue, metrics).start();
        try {
            InferenceWorkerTest.Collector out = new InferenceWorkerTest.Collector();
            Job job = new Job("gone", longRequest(5), out);
            queue.submit(job);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (metrics.partCount() < 2 && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertTrue(metrics.partCount() >= 2, "the second part never started");
            job.cancel("client disconnected");
            assertEquals(FinishReason.CANCELLED, out.done.get(30, TimeUnit.SECONDS));
            int planned =
                    pipeline.plan(longRequest(5)).parts().stream()
                            .mapToInt(p -> p.capFrames())
                            .sum();
            assertTrue(job.frames() < planned, job.frames() + " of " + planned + " frames");
            // The listener hears the end inside the worker's turn, before the batch is updated: a
            // task on the worker thread runs after that turn, so it sees the settled batch.
            assertEquals(
                    baseline,
                    (int) worker.call(CsmPipeline::liveArrayCount).get(10, TimeUnit.SECONDS),
                    "the reading's native state is freed");
            assertEquals(0, worker.activeCount());
            assertEquals(1.0, metrics.cancellationCount());
        } finally {
            worker.shutdown(Duration.ofSeconds(5));
        }
    }
}
