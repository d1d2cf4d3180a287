package dev.csmserver.config;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A real redis-server for @QuarkusTest profiles of the Redis store: started before the app and
 * named to it through {@code quarkus.redis.hosts}; tests reach the same server through {@link
 * #server()} to play a second replica.
 */
public class RedisTestResource implements QuarkusTestResourceLifecycleManager {
    private static RedisServer server;

    static RedisServer server() {
        return server;
    }

    @Override
    public Map<String, String> start() {
        try {
            server = RedisServer.sharedOrStart();
        } catch (Exception e) {
            throw new IllegalStateException("could not start redis-server for the test", e);
        }
        return Map.of("quarkus.redis.hosts", server.url());
    }

    @Override
    public void stop() {
        try {
            if (server != null) {
                server.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
