package dev.csmserver.api;

import dev.csmserver.audio.Pcm;
import dev.csmserver.audio.SincResampler;
import dev.csmserver.config.ModelState;
import dev.csmserver.contexts.ContextExistsException;
import dev.csmserver.contexts.ContextStore;
import dev.csmserver.contexts.ContextStoreUnavailableException;
import dev.csmserver.contexts.StoredContext;
import dev.csmserver.metrics.InferenceMetrics;
import dev.csmserver.pipeline.FinishReason;
import dev.csmserver.pipeline.ModelInfo;
import dev.csmserver.queue.InferenceQueue;
import dev.csmserver.queue.Job;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.resteasy.reactive.RestMulti;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the speech endpoints share: encode context audio on the inference thread (a chunk per turn,
 * between frame steps), check the prompt fits, reserve a queue slot and only then hand back the
 * streaming body, so every client error is a clean problem+json before the first audio byte.
 */
@ApplicationScoped
public class SpeechService {
    public static final String X_SEED = "X-Seed";
    public static final String X_MODEL = "X-Model";
    private static final Logger LOG = LoggerFactory.getLogger(SpeechService.class);
    private static final long ENCODE_TIMEOUT_S = 120;

    @Inject ModelState model;
    @Inject InferenceQueue queue;
    @Inject ContextStore store;
    @Inject InferenceMetrics metrics;

    /**
     * save_as writes: off the inference thread, a few at a time (a store that hangs holds these
     * only).
     */
    private final ExecutorService storeWrites =
            Executors.newFixedThreadPool(
                    2,
                    r -> {
                        Thread t = new Thread(r, "csm-store-write");
                        t.setDaemon(true);
                        return t;
                    });

    /** The loaded model; a 503 problem while it is not ready. */
    public ModelInfo model() {
        return model.requireInfo();
    }

    /**
     * Mimi codes {@code [K][T]} of {@code pcm}: resampled to the codec's rate here, on the request
     * thread, so that only the Mimi encode itself runs on (and holds up) the inference thread.
     */
    public int[][] encode(Pcm pcm) {
        int rate = model().sampleRateHz();
        Pcm atCodecRate = pcm.sampleRateHz() == rate ? pcm : SincResampler.resample(pcm, rate);
        CompletableFuture<int[][]> codes = model.requireWorker().encode(atCodecRate);
        try {
            return codes.get(ENCODE_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            codes.cancel(false); // the worker drops it at its next turn
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while encoding", e);
        } catch (TimeoutException e) {
            codes.cancel(false);
            throw new ApiException(ProblemType.UNAVAILABLE, "encoding the context audio timed out");
        }
    }

    /** Checks the prompt, reserves the job and returns the streaming body with its headers. */
    public RestMulti<byte[]> start(ValidSpeech v, String requestId, boolean sse) {
        var pipeline = model.requirePipeline();
        pipeline.promptRows(v.request());
        AudioStream stream =
                new AudioStream(
                        v.format(),
                        pipeline.info().sampleRateHz(),
                        v.stream(),
                        sse,
                        (reason, codes) -> save(v, reason, codes, pipeline.info().frameMs()));
        Job job = new Job(requestId, v.request(), stream);
        queue.submit(job);
        String type = sse ? "text/event-stream" : v.format().contentType();
        var response =
                RestMulti.fromMultiData(stream.body(job))
                        .header("Content-Type", type)
                        .header(RequestIds.HEADER, requestId)
                        .header(X_SEED, Long.toString(v.seed()))
                        .header(X_MODEL, pipeline.info().label())
                        .header("Cache-Control", "no-store");
        if (!sse) {
            // A file name for browsers and download tools; it is also what makes Swagger UI's
            // "Try it out" offer the audio it received (its inline player re-fetches the URL with
            // GET).
            response =
                    response.header(
                            "Content-Disposition",
                            "attachment; filename=\"speech." + v.format().fileExtension() + "\"");
        }
        return response.build();
    }

    /**
     * Stores the generated turn as a context when the request asked for it ({@code save_as}), on a
     * store thread, never the inference thread (a slow or paused Redis must not stall every
     * stream). The stage fails with the problem to show the client where its protocol still can (a
     * whole file: instead of the audio; SSE: an error event); a failure is always logged and
     * counted in {@code csm_contexts_not_saved_total}.
     */
    private CompletionStage<Void> save(
            ValidSpeech v, FinishReason reason, int[][] frameCodes, double frameMs) {
        if (v.saveAs() == null
                || frameCodes.length == 0
                || (reason != FinishReason.END_OF_SPEECH && reason != FinishReason.MAX_LENGTH)) {
            return CompletableFuture.completedFuture(null);
        }
        int frames = frameCodes.length;
        int k = frameCodes[0].length;
        int[][] codes = new int[k][frames];
        for (int f = 0; f < frames; f++) {
            for (int i = 0; i < k; i++) {
                codes[i][f] = frameCodes[f][i];
            }
        }
        StoredContext context =
                new StoredContext(
                        v.saveAs(),
                        v.request().speaker(),
                        v.request().text(),
                        codes,
                        frames * frameMs / 1000.0,
                        Instant.now());
        return CompletableFuture.runAsync(
                () -> {
                    try {
                        // Create-once, like an upload: an id taken since validation keeps its
                        // context.
                        store.create(context);
                    } catch (ContextExistsException e) {
                        LOG.warn(
                                "generated turn not saved: context {} was created while it was generated",
                                v.saveAs());
                        metrics.contextNotSaved("exists");
                        throw new ApiException(
                                ProblemType.CONTEXT_EXISTS,
                                "the audio was generated, but context '"
                                        + v.saveAs()
                                        + "' was created meanwhile and was kept; the turn was not saved");
                    } catch (ContextStoreUnavailableException e) {
                        LOG.warn(
                                "generated turn not saved as {}: the context store is unavailable",
                                v.saveAs());
                        metrics.contextNotSaved("unavailable");
                        throw new ApiException(
                                ProblemType.UNAVAILABLE,
                                "the audio was generated, but the context store "
                                        + "is unavailable; the turn was not saved as '"
                                        + v.saveAs()
                                        + "'");
                    } catch (RuntimeException e) {
                        LOG.error("could not store generated turn as context {}", v.saveAs(), e);
                        metrics.contextNotSaved("error");
                        throw new ApiException(
                                ProblemType.INTERNAL,
                                "the audio was generated, but storing it as '"
                                        + v.saveAs()
                                        + "' failed; see the server log");
                    }
                },
                storeWrites);
    }

    @PreDestroy
    void stopStoreWrites() {
        storeWrites.shutdown();
    }
}
