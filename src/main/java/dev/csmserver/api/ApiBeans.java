package dev.csmserver.api;

import dev.csmserver.audio.encode.AudioFormat;
import dev.csmserver.config.ModelState;
import dev.csmserver.config.ServerConfig;
import dev.csmserver.contexts.ContextStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.EnumSet;

/** Builds the plain-Java pieces of the web layer from configuration and the loaded model. */
@ApplicationScoped
public class ApiBeans {
    /** Formats this build can produce: every streaming encoder in audio.encode. */
    static EnumSet<AudioFormat> availableFormats() {
        return EnumSet.allOf(AudioFormat.class);
    }

    @Produces
    @Singleton
    RequestValidator validator(ServerConfig config, ContextStore store, ModelState model) {
        return new RequestValidator(config.limits(), store, model::requireInfo, availableFormats());
    }
}
