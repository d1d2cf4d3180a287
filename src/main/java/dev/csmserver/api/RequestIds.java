package dev.csmserver.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Gives every request an id: the client's {@code X-Request-Id} when it is a sane token, else a
 * fresh UUID. It is echoed as a response header and in problem bodies and logs.
 */
public class RequestIds {
    public static final String HEADER = "X-Request-Id";
    private static final String PROPERTY = "csm.request-id";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    /** The id of the request {@code ctx} belongs to. */
    public static String of(ContainerRequestContext ctx) {
        Object id = ctx.getProperty(PROPERTY);
        if (id == null) {
            id = fromHeader(ctx.getHeaderString(HEADER));
            ctx.setProperty(PROPERTY, id);
        }
        return id.toString();
    }

    /** The client's {@code X-Request-Id} value when it is a sane token, else a fresh UUID. */
    public static String fromHeader(String given) {
        return given != null && SANE.matcher(given).matches()
                ? given
                : UUID.randomUUID().toString();
    }

    @ServerRequestFilter(preMatching = true, priority = 10)
    public void assign(ContainerRequestContext ctx) {
        of(ctx);
    }

    @ServerResponseFilter
    public void echo(ContainerRequestContext request, ContainerResponseContext response) {
        if (!response.getHeaders().containsKey(HEADER)) {
            response.getHeaders().putSingle(HEADER, of(request));
        }
    }
}
