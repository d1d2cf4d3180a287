package dev.csmserver.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.csmserver.api.dto.Problem;
import dev.csmserver.config.ServerConfig;
import dev.csmserver.metrics.InferenceMetrics;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.UUID;

/**
 * Optional API-key authentication: when {@code csm.auth.api-key} is set, every request except
 * {@code /q/health} must carry {@code Authorization: Bearer <key>}, else 401 problem+json. It
 * sits on the HTTP router (not only REST), so metrics, OpenAPI and Swagger UI are covered too.
 */
@ApplicationScoped
public class ApiKeyFilter {
    @Inject ServerConfig config;
    @Inject ObjectMapper json;
    @Inject InferenceMetrics metrics;

    void install(@Observes Router router) {
        Optional<String> key = config.auth().apiKey().filter(k -> !k.isBlank());
        if (key.isEmpty()) {
            return;
        }
        byte[] expected = ("Bearer " + key.get()).getBytes(StandardCharsets.UTF_8);
        router.route().order(-1000).handler(rc -> check(rc, expected));
    }

    private void check(RoutingContext rc, byte[] expected) {
        String path = rc.normalizedPath();
        if (path.equals("/q/health") || path.startsWith("/q/health/")) {
            rc.next();
            return;
        }
        String given = rc.request().getHeader("Authorization");
        if (given != null && MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
            rc.next();
            return;
        }
        metrics.error(ProblemType.UNAUTHORIZED.slug());
        String id = Optional.ofNullable(rc.request().getHeader(RequestIds.HEADER))
                .orElseGet(() -> UUID.randomUUID().toString());
        ProblemType t = ProblemType.UNAUTHORIZED;
        Problem p = new Problem(t.uri(), t.title(), t.status(),
                given == null ? "missing Authorization: Bearer header" : "invalid API key", path, id);
        String body;
        try {
            body = json.writeValueAsString(p);
        } catch (JsonProcessingException e) {
            body = "{\"status\":401}";
        }
        rc.response().setStatusCode(401)
                .putHeader("Content-Type", ProblemMapper.PROBLEM_JSON)
                .putHeader("WWW-Authenticate", "Bearer")
                .putHeader(RequestIds.HEADER, id)
                .end(body);
    }
}
