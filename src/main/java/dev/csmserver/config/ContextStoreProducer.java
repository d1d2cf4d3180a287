package dev.csmserver.config;

import dev.csmserver.contexts.BuiltInContexts;
import dev.csmserver.contexts.ContextStore;
import dev.csmserver.contexts.FileContextStore;
import dev.csmserver.metrics.InferenceMetrics;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Picks the context store named by {@code csm.contexts.store}: {@code file} (a local directory, the
 * default) or {@code redis} (shared between replicas; the server is {@code quarkus.redis.hosts}).
 * The Redis client is only looked up when it is chosen. The model's built-in voices sit in front of
 * it ({@link BuiltInContexts}, filled by {@link ModelLoader}).
 */
@ApplicationScoped
public class ContextStoreProducer {
    /** The Redis client's own timeout; the store bounds its script calls with it too. */
    @ConfigProperty(name = "quarkus.redis.timeout", defaultValue = "10s")
    Duration redisTimeout;

    @Produces
    @Singleton
    BuiltInContexts store(
            ServerConfig config, Instance<RedisDataSource> redis, InferenceMetrics metrics) {
        return new BuiltInContexts(configured(config, redis, metrics));
    }

    private ContextStore configured(
            ServerConfig config, Instance<RedisDataSource> redis, InferenceMetrics metrics) {
        return switch (config.contexts().store()) {
            case FILE ->
                    new FileContextStore(config.contexts().dir(), e -> metrics.corruptContext());
            case REDIS ->
                    new RedisContextStore(
                            redis.get(),
                            config.contexts().redisPrefix(),
                            e -> metrics.corruptContext(),
                            redisTimeout);
        };
    }
}
