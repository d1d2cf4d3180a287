package dev.csmserver.health;

import dev.csmserver.config.ModelState;
import dev.csmserver.queue.InferenceQueue;
import dev.csmserver.queue.InferenceWorker;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live while the inference thread runs, keeps finishing loops (not stalled in one step) and is not
 * failing step after step (an OutOfMemoryError every step: a restart may help). While the model is
 * still being made ready there is no worker yet and the service is live: a download of many
 * gigabytes must not get the container restarted (readiness shows the phase).
 */
@Liveness
@ApplicationScoped
public class WorkerLivenessCheck implements HealthCheck {
    @Inject ModelState state;
    @Inject InferenceQueue queue;

    @Override
    public HealthCheckResponse call() {
        Optional<InferenceWorker> running = state.worker();
        if (running.isEmpty()) {
            return HealthCheckResponse.named("inference-worker")
                    .up()
                    .withData("state", state.phase())
                    .build();
        }
        InferenceWorker worker = running.get();
        return HealthCheckResponse.named("inference-worker")
                .status(worker.isHealthy())
                .withData("alive", worker.isAlive())
                .withData("ms_since_heartbeat", worker.sinceHeartbeat().toMillis())
                .withData("failures_in_a_row", worker.failuresInARow())
                .withData("active", worker.activeCount())
                .withData("queued", queue.depth())
                .build();
    }
}
