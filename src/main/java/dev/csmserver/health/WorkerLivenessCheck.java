package dev.csmserver.health;

import dev.csmserver.queue.InferenceQueue;
import dev.csmserver.queue.InferenceWorker;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Live while the inference thread runs and keeps finishing loops (not stalled in one step). */
@Liveness
@ApplicationScoped
public class WorkerLivenessCheck implements HealthCheck {
    @Inject InferenceWorker worker;
    @Inject InferenceQueue queue;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("inference-worker")
                .status(worker.isHealthy())
                .withData("alive", worker.isAlive())
                .withData("ms_since_heartbeat", worker.sinceHeartbeat().toMillis())
                .withData("active", worker.activeCount())
                .withData("queued", queue.depth())
                .build();
    }
}
