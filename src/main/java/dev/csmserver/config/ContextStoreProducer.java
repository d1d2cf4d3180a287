package dev.csmserver.config;

import dev.csmserver.contexts.ContextStore;
import dev.csmserver.contexts.FileContextStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Locale;

/**
 * Picks the context store named by {@code csm.contexts.store}: {@code file} (a local directory,
 * the default) or {@code redis} (shared between replicas).
 */
@ApplicationScoped
public class ContextStoreProducer {
    @Produces
    @Singleton
    ContextStore store(ServerConfig config) {
        String kind = config.contexts().store().trim().toLowerCase(Locale.ROOT);
        switch (kind) {
            case "file":
                return new FileContextStore(config.contexts().dir());
            case "redis":
                // The Redis store (config.RedisContextStore) is added by the deployment work;
                // build it here from its own settings once it exists.
                throw new IllegalStateException("csm.contexts.store=redis is not available in this build");
            default:
                throw new IllegalArgumentException("csm.contexts.store must be file or redis, not '" + kind + "'");
        }
    }
}
