package dev.csmserver.api;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses a body whose declared Content-Length exceeds the limit before it is read (413
 * problem+json); the HTTP layer's own max-body-size is a larger backstop for undeclared lengths.
 */
public class BodySizeFilter {
    /** Looked up per request: filters are built before runtime configuration exists. */
    @Inject Instance<RequestValidator> validator;

    @ServerRequestFilter(preMatching = true, priority = 20)
    public void check(ContainerRequestContext ctx) {
        String length = ctx.getHeaderString("Content-Length");
        if (length != null) {
            try {
                validator.get().checkBodySize(Long.parseLong(length.trim()));
            } catch (NumberFormatException e) {
                throw new ApiException(ProblemType.MALFORMED_REQUEST, "invalid Content-Length");
            }
        }
    }
}
