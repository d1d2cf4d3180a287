package dev.csmserver.config;

import dev.csmserver.pipeline.CsmPipeline;
import dev.csmserver.pipeline.LoadProgress;
import dev.csmserver.pipeline.ModelInfo;
import dev.csmserver.queue.InferenceWorker;
import dev.csmserver.queue.ServiceUnavailableException;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * The model's life in the service: the phase while it is made ready in the background ({@code
 * downloading 43%}, {@code loading weights 12/21}, {@code warming up}; readiness shows it), then
 * the loaded pipeline and the one inference worker that owns it. Until then every use is a 503
 * problem that names the phase.
 */
@Singleton
public class ModelState implements LoadProgress {
    private volatile String phase = "starting";
    private volatile CsmPipeline pipeline;
    private volatile InferenceWorker worker;
    private volatile boolean stopping;

    @Override
    public void phase(String now) {
        this.phase = now;
    }

    /** What the model is doing now ("ready" once it is). */
    public String phase() {
        return phase;
    }

    void ready(CsmPipeline loaded, InferenceWorker started) {
        this.pipeline = loaded;
        this.worker = started;
        this.phase = "ready";
    }

    /** Ready for work: loaded, warmed, and not shutting down. */
    public boolean isReady() {
        return worker != null && !stopping;
    }

    /** The service is shutting down: readiness goes down and new work is refused (503). */
    void stopping() {
        this.stopping = true;
        this.phase = "stopping";
    }

    public boolean isStopping() {
        return stopping;
    }

    /** The loaded model, or empty while it is not ready (loading or shutting down). */
    public Optional<ModelInfo> info() {
        CsmPipeline p = isReady() ? pipeline : null;
        return Optional.ofNullable(p).map(CsmPipeline::info);
    }

    /** The loaded model even while shutting down (running requests still report on it). */
    public Optional<ModelInfo> loadedInfo() {
        return Optional.ofNullable(worker == null ? null : pipeline).map(CsmPipeline::info);
    }

    /** The loaded model's description; a 503 problem while it is not ready. */
    public ModelInfo requireInfo() {
        return requirePipeline().info();
    }

    /** The pipeline; a 503 problem while it is not ready or shutting down. */
    public CsmPipeline requirePipeline() {
        if (!isReady()) {
            throw notReady();
        }
        return pipeline;
    }

    /** The inference worker; a 503 problem while the model is not ready. */
    public InferenceWorker requireWorker() {
        InferenceWorker w = worker;
        if (w == null) {
            throw notReady();
        }
        return w;
    }

    /** The worker once it runs (liveness, shutdown). */
    public Optional<InferenceWorker> worker() {
        return Optional.ofNullable(worker);
    }

    private ServiceUnavailableException notReady() {
        return new ServiceUnavailableException(
                stopping
                        ? "the service is shutting down"
                        : "the model is not ready yet (" + phase + ")");
    }
}
