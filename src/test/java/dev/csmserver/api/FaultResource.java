package dev.csmserver.api;

import dev.csmserver.audio.encode.AudioFormat;
import dev.csmserver.config.ModelState;
import dev.csmserver.pipeline.AudioChunk;
import dev.csmserver.pipeline.FinishReason;
import dev.csmserver.pipeline.GenerationRequest;
import dev.csmserver.pipeline.SamplingParams;
import dev.csmserver.queue.InferenceQueue;
import dev.csmserver.queue.Job;
import dev.csmserver.queue.JobListener;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * Test only: throws real JVM errors through the whole JAX-RS stack, which no client can make the
 * service do on purpose. It lives under src/test, so only {@code @QuarkusTest} runs (which index
 * the test classes) have it; the packaged jar does not. Hidden from the OpenAPI document.
 */
@Path("/test-only/faults")
public class FaultResource {
    @Inject InferenceQueue queue;
    @Inject ModelState model;

    /**
     * Speech whose audio sink throws a real {@link OutOfMemoryError} at its second chunk, inside
     * the inference worker's batch step: the response is what a request gets when its step fails
     * with a JVM error (a whole file: a 500 problem; SSE: an error event after the first audio).
     */
    @GET
    @Path("/error-in-step")
    @Operation(hidden = true)
    public RestMulti<byte[]> errorInStep(@QueryParam("sse") boolean sse) {
        int rate = model.requireInfo().sampleRateHz();
        AudioStream stream = new AudioStream(AudioFormat.PCM, rate, sse, sse, (why, codes) -> null);
        JobListener failing =
                new JobListener() {
                    private int chunks;

                    @Override
                    public void accept(AudioChunk chunk) {
                        stream.accept(chunk);
                        if (++chunks == 2) {
                            throw new OutOfMemoryError("Java heap space (thrown by FaultResource)");
                        }
                    }

                    @Override
                    public void finish(FinishReason reason, int[][] codes) {
                        stream.finish(reason, codes);
                    }

                    @Override
                    public void failed(Throwable error) {
                        stream.failed(error);
                    }
                };
        GenerationRequest request =
                new GenerationRequest(
                        "An error in the step.", 0, List.of(), 2000, SamplingParams.seeded(1));
        Job job = new Job("fault-" + System.nanoTime(), request, failing);
        queue.submit(job);
        return RestMulti.fromMultiData(stream.body(job))
                .header("Content-Type", sse ? "text/event-stream" : "audio/pcm")
                .build();
    }

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
