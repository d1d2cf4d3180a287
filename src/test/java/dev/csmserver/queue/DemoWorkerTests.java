package dev.csmserver.queue;

import dev.csmserver.metrics.InferenceMetrics;
import dev.csmserver.pipeline.CsmPipeline;
import dev.csmserver.pipeline.GenerationRequest;
import dev.csmserver.pipeline.PipelineOptions;
import dev.csmserver.pipeline.SamplingParams;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * What the worker tests share: the real demo pipeline (loaded once per test class), requests,
 * queues and started workers on it.
 */
abstract class DemoWorkerTests {
    static CsmPipeline pipeline;

    @BeforeAll
    static void loadDemoPipeline() {
        pipeline = CsmPipeline.load(PipelineOptions.demo());
    }

    @AfterAll
    static void closeDemoPipeline() {
        pipeline.close();
    }

    static GenerationRequest request(String text, int ms, long seed) {
        return new GenerationRequest(text, 0, List.of(), ms, SamplingParams.seeded(seed));
    }

    static InferenceQueue queue(int capacity, int maxBatch) {
        return new InferenceQueue(
                new QueueOptions(capacity, maxBatch, Duration.ofMinutes(5), Duration.ofMinutes(1)),
                new InferenceMetrics(new SimpleMeterRegistry()));
    }

    static InferenceWorker worker(InferenceQueue queue) {
        return new InferenceWorker(pipeline, queue, new InferenceMetrics(new SimpleMeterRegistry()))
                .start();
    }
}
