package dev.csmserver.config;

import dev.csmserver.metrics.InferenceMetrics;
import dev.csmserver.pipeline.CsmPipeline;
import dev.csmserver.queue.InferenceQueue;
import dev.csmserver.queue.InferenceWorker;
import dev.csmserver.queue.QueueOptions;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Builds the metrics recorder, the bounded queue and the one inference worker, and shuts the
 * worker down gracefully (running requests get {@code csm.queue.shutdown-grace} to finish).
 */
@ApplicationScoped
public class QueueProducer {
    private volatile InferenceWorker worker;

    @Produces
    @Singleton
    InferenceMetrics metrics(MeterRegistry registry) {
        return new InferenceMetrics(registry);
    }

    @Produces
    @Singleton
    InferenceQueue queue(ServerConfig config, InferenceMetrics metrics) {
        ServerConfig.Queue q = config.queue();
        return new InferenceQueue(
                new QueueOptions(q.capacity(), q.maxBatch(), q.deadline(), q.stallAfter()), metrics);
    }

    @Produces
    @Singleton
    @Startup
    InferenceWorker worker(CsmPipeline pipeline, InferenceQueue queue, InferenceMetrics metrics) {
        worker = new InferenceWorker(pipeline, queue, metrics).start();
        return worker;
    }

    void onStop(@Observes ShutdownEvent event, ServerConfig config) {
        InferenceWorker w = worker;
        if (w != null) {
            w.shutdown(config.queue().shutdownGrace());
        }
    }
}
