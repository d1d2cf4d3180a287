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

    public boolean isReady() {
        return worker != null;
    }

    /** The loaded model, or empty while it is not ready. */
    public Optional<ModelInfo> info() {
        CsmPipeline p = isReady() ? pipeline : null;
        return Optional.ofNullable(p).map(CsmPipeline::info);
    }

    /** The loaded model's description; a 503 problem while it is not ready. */
    public ModelInfo requireInfo() {
        return requirePipeline().info();
    }

    /** The pipeline; a 503 problem while it is not ready. */
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
        return new ServiceUnavailableException("the model is not ready yet (" + phase + ")");
    }
}
