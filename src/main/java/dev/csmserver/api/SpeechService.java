package dev.csmserver.api;

import dev.csmserver.audio.Pcm;
import dev.csmserver.audio.SincResampler;
import dev.csmserver.config.ModelState;
import dev.csmserver.contexts.ContextExistsException;
import dev.csmserver.contexts.ContextStore;
import dev.csmserver.contexts.StoredContext;
import dev.csmserver.metrics.InferenceMetrics;
import dev.csmserver.pipeline.FinishReason;
import dev.csmserver.pipeline.ModelInfo;
import dev.csmserver.queue.InferenceQueue;
import dev.csmserver.queue.Job;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.resteasy.reactive.RestMulti;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the speech endpoints share: encode context audio on the inference thread, check the
 * prompt fits, reserve a queue slot and only then hand back the streaming body, so every client
 * error is a clean problem+json before the first audio byte.
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
        try {
            return model.requireWorker().call(p -> p.encode(atCodecRate)).get(ENCODE_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while encoding", e);
        } catch (TimeoutException e) {
            throw new ApiException(ProblemType.UNAVAILABLE, "encoding the context audio timed out");
        }
    }

    /** Checks the prompt, reserves the job and returns the streaming body with its headers. */
    public RestMulti<byte[]> start(ValidSpeech v, String requestId, boolean sse) {
        var pipeline = model.requirePipeline();
        pipeline.promptRows(v.request());
        AudioStream stream = new AudioStream(v.format(), pipeline.info().sampleRateHz(), v.stream(), sse,
                (reason, codes) -> save(v, reason, codes, pipeline.info().frameMs()));
        Job job = new Job(requestId, v.request(), stream);
        queue.submit(job);
        String type = sse ? "text/event-stream" : v.format().contentType();
        var response = RestMulti.fromMultiData(stream.body(job))
                .header("Content-Type", type)
                .header(RequestIds.HEADER, requestId)
                .header(X_SEED, Long.toString(v.seed()))
                .header(X_MODEL, pipeline.info().label())
                .header("Cache-Control", "no-store");
        if (!sse) {
            // A file name for browsers and download tools; it is also what makes Swagger UI's
            // "Try it out" offer the audio it received (its inline player re-fetches the URL with GET).
            response = response.header("Content-Disposition",
                    "attachment; filename=\"speech." + v.format().fileExtension() + "\"");
        }
        return response.build();
    }

    /** Stores the generated turn as a context when the request asked for it ({@code save_as}). */
    private void save(ValidSpeech v, FinishReason reason, int[][] frameCodes, double frameMs) {
        if (v.saveAs() == null || frameCodes.length == 0
                || (reason != FinishReason.END_OF_SPEECH && reason != FinishReason.MAX_LENGTH)) {
            return;
        }
        int frames = frameCodes.length;
        int k = frameCodes[0].length;
        int[][] codes = new int[k][frames];
        for (int f = 0; f < frames; f++) {
            for (int i = 0; i < k; i++) {
                codes[i][f] = frameCodes[f][i];
            }
        }
        double seconds = frames * frameMs / 1000.0;
        try {
            // Create-once, like an upload: an id taken since validation keeps its context.
            store.create(new StoredContext(v.saveAs(), v.request().speaker(), v.request().text(), codes, seconds,
                    Instant.now()));
        } catch (ContextExistsException e) {
            LOG.warn("generated turn not saved: context {} was created while it was generated", v.saveAs());
            metrics.contextNotSaved("exists");
        } catch (RuntimeException e) {
            LOG.error("could not store generated turn as context {}", v.saveAs(), e);
            metrics.contextNotSaved("error");
        }
    }
}
