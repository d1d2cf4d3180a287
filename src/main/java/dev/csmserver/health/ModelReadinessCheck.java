package dev.csmserver.health;

import dev.csmserver.config.ModelState;
import dev.csmserver.pipeline.ModelInfo;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the model is loaded and warmed; says which model, and whether it is the demo model. */
@Readiness
@ApplicationScoped
public class ModelReadinessCheck implements HealthCheck {
    @Inject ModelState state;

    @Override
    public HealthCheckResponse call() {
        ModelInfo info = state.info();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("model");
        if (info == null) {
            return b.down().withData("state", "loading").build();
        }
        b.up().withData("model", info.label()).withData("demo", info.demo()).withData("device", info.device());
        if (info.demo()) {
            b.withData("note", "built-in demo model: tiny random weights, produces noise, not speech");
        }
        return b.build();
    }
}
