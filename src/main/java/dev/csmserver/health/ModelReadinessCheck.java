package dev.csmserver.health;

import dev.csmserver.config.ModelState;
import dev.csmserver.pipeline.ModelInfo;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the model is loaded and warmed; says which model, and whether it is the demo model.
 * Until then DOWN (503) with the phase the background load is in: {@code downloading 43%}, {@code
 * loading weights 12/21}, {@code warming up}; and DOWN again ({@code stopping}) from the moment the
 * service is asked to shut down.
 */
@Readiness
@ApplicationScoped
public class ModelReadinessCheck implements HealthCheck {
    @Inject ModelState state;

    @Override
    public HealthCheckResponse call() {
        Optional<ModelInfo> loaded = state.info();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("model");
        if (loaded.isEmpty()) {
            return b.down().withData("state", state.phase()).build();
        }
        ModelInfo info = loaded.get();
        b.up().withData("model", info.label())
                .withData("demo", info.demo())
                .withData("device", info.device());
        if (info.demo()) {
            b.withData(
                    "note", "built-in demo model: tiny random weights, produces noise, not speech");
        }
        return b.build();
    }
}
