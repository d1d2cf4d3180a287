package dev.csmserver.api;

import dev.csmserver.config.ServerConfig;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Optional API-key authentication: when {@code csm.auth.api-key} is set, every request except
 * {@code /q/health} must carry {@code Authorization: Bearer <key>} (the scheme in any case), else
 * 401 problem+json. It sits on the HTTP router (not only REST), so metrics, OpenAPI and Swagger UI
 * are covered too.
 */
@ApplicationScoped
public class ApiKeyFilter {
    @Inject ServerConfig config;
    @Inject RouteProblems problems;

    void install(@Observes Router router) {
        Optional<String> key = config.auth().apiKey().filter(k -> !k.isBlank());
        if (key.isEmpty()) {
            return;
        }
        byte[] expected = key.get().getBytes(StandardCharsets.UTF_8);
        router.route().order(-1000).handler(rc -> check(rc, expected));
    }

    private void check(RoutingContext rc, byte[] expected) {
        String path = rc.normalizedPath();
        if (path.equals("/q/health") || path.startsWith("/q/health/")) {
            rc.next();
            return;
        }
        String given = rc.request().getHeader("Authorization");
        String token = bearerToken(given);
        if (token != null
                && MessageDigest.isEqual(expected, token.getBytes(StandardCharsets.UTF_8))) {
            rc.next();
            return;
        }
        refuse(rc, given);
    }

    /**
     * The token of {@code Authorization: Bearer <token>}, or null. The scheme is matched in any
     * case ({@code bearer} too), as RFC 9110 section 11.1 says; the token itself is compared
     * exactly.
     */
    static String bearerToken(String header) {
        if (header == null) {
            return null;
        }
        String value = header.strip();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).equalsIgnoreCase("Bearer")) {
            return null;
        }
        return value.substring(space + 1).strip();
    }

    private void refuse(RoutingContext rc, String given) {
        rc.response().putHeader("WWW-Authenticate", "Bearer");
        problems.send(
                rc,
                ProblemType.UNAUTHORIZED,
                given == null ? "missing Authorization: Bearer header" : "invalid API key");
    }
}
