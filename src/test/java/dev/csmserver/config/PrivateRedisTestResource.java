package dev.csmserver.config;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A private redis-server for a test that pauses it ({@link RedisServer#pause}), never the shared
 * one of {@link RedisTestResource}: started before the app and named to it through {@code
 * quarkus.redis.hosts}.
 */
public class PrivateRedisTestResource implements QuarkusTestResourceLifecycleManager {
    private static RedisServer server;

    static RedisServer server() {
        return server;
    }

    @Override
    public Map<String, String> start() {
        try {
            server = RedisServer.start();
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
