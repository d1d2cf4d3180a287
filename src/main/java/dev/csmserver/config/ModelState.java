package dev.csmserver.config;

import dev.csmserver.pipeline.ModelInfo;
import jakarta.inject.Singleton;

/** Whether the model is loaded and warmed, and which model it is; read by readiness. */
@Singleton
public class ModelState {
    private volatile ModelInfo info;

    void ready(ModelInfo loaded) {
        this.info = loaded;
    }

    /** The loaded model, or null while it is still loading. */
    public ModelInfo info() {
        return info;
    }

    public boolean isReady() {
        return info != null;
    }
}
