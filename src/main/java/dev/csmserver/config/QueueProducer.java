package dev.csmserver.config;

import dev.csmserver.metrics.InferenceMetrics;
import dev.csmserver.queue.InferenceQueue;
import dev.csmserver.queue.QueueOptions;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Builds the metrics recorder and the bounded queue. The one inference worker that drains the queue
 * is started by {@link ModelLoader} once the model is ready (and shut down gracefully there).
 */
@ApplicationScoped
public class QueueProducer {
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
                new QueueOptions(
                        q.capacity(),
                        q.maxBatch(),
                        q.deadline(),
                        q.stallAfter(),
                        q.maxPendingEncodes()),
                metrics);
    }
}
