package dev.csmserver.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Test only: throws real JVM errors through the whole JAX-RS stack, which no client can make the
 * service do on purpose. It lives under src/test, so only {@code @QuarkusTest} runs (which index
 * the test classes) have it; the packaged jar does not. Hidden from the OpenAPI document.
 */
@Path("/test-only/faults")
public class FaultResource {
    @GET
    @Path("/out-of-memory")
    @Operation(hidden = true)
    public String outOfMemory() {
        throw new OutOfMemoryError("Java heap space (thrown by FaultResource)");
    }

    @GET
    @Path("/stack-overflow")
    @Operation(hidden = true)
    public String stackOverflow() {
        throw new StackOverflowError("thrown by FaultResource");
    }

    @GET
    @Path("/checked")
    @Operation(hidden = true)
    public String checked() throws Exception {
        throw new Exception("a checked exception (thrown by FaultResource)");
    }
}
