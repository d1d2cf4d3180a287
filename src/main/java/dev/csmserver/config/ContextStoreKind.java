package dev.csmserver.config;

import java.util.Locale;

/**
 * Where stored contexts live ({@code csm.contexts.store}): {@code file} (a local directory) or
 * {@code redis} (shared by replicas; the server is {@code quarkus.redis.hosts}).
 */
public enum ContextStoreKind {
    FILE,
    REDIS;

    /** {@code file} or {@code redis} (any case); anything else names the allowed values. */
    public static ContextStoreKind parse(String setting) {
        String s = setting == null ? "" : setting.strip().toLowerCase(Locale.ROOT);
        switch (s) {
            case "file":
                return FILE;
            case "redis":
                return REDIS;
            default:
                throw new IllegalArgumentException(
                        "csm.contexts.store must be file or redis, not '" + setting + "'");
        }
    }
}
