package dev.csmserver.config;

import dev.csmserver.contexts.BuiltInContexts;
import dev.csmserver.metrics.InferenceMetrics;
import dev.csmserver.nn.IntraOpThreads;
import dev.csmserver.pipeline.CsmPipeline;
import dev.csmserver.pipeline.DjlRuntime;
import dev.csmserver.pipeline.GenerationRequest;
import dev.csmserver.pipeline.ModelSource;
import dev.csmserver.pipeline.ModelSourceDownloader;
import dev.csmserver.pipeline.PartPolicy;
import dev.csmserver.pipeline.PipelineOptions;
import dev.csmserver.pipeline.SamplingParams;
import dev.csmserver.queue.InferenceQueue;
import dev.csmserver.queue.InferenceWorker;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the model ready in the background once the service starts, so the HTTP server (health,
 * metrics, Swagger UI) answers from the first second while a multi-gigabyte download and the weight
 * load run: downloads a hub model if one is configured (never at request time), loads it (or the
 * built-in demo model when no weights are configured), publishes its built-in voices, warms it with
 * one short generation, and only then starts the one inference worker and turns readiness green.
 * Each phase is reported to {@link ModelState}. A model that cannot be loaded ends the process
 * (exit code 1) after logging why, as a failed start did before.
 */
@ApplicationScoped
public class ModelLoader {
    private static final String WARMUP_TEXT =
            "Warming up the speech model before the first request arrives.";
    private static final Logger LOG = LoggerFactory.getLogger(ModelLoader.class);

    @Inject ServerConfig config;
    @Inject ModelState state;
    @Inject InferenceQueue queue;
    @Inject InferenceMetrics metrics;
    @Inject BuiltInContexts builtIns;

    private boolean stopping; // guarded by this
    private CsmPipeline pipeline;
    private InferenceWorker worker;

    void onStart(@Observes StartupEvent event) {
        DjlRuntime.init();
        Thread t = new Thread(this::makeReady, "csm-model-start");
        t.setDaemon(true);
        t.start();
    }

    private void makeReady() {
        try {
            PipelineOptions options = options(config, state);
            // Loaded and warmed on a thread that then ends, so the inference worker's OpenMP team
            // is
            // the only one left and libgomp keeps spinning between its parallel regions.
            CsmPipeline loaded =
                    IntraOpThreads.onThreadThatEnds("csm-model-load", () -> loadAndWarm(options));
            synchronized (this) {
                if (stopping) {
                    loaded.close();
                    return;
                }
                pipeline = loaded;
                ServerConfig.LongText lt = config.longText();
                loaded.partPolicy(
                        new PartPolicy(
                                lt.partMaxTokens(),
                                lt.partBaseMs(),
                                lt.msPerToken(),
                                lt.previousParts()));
                builtIns.publish(loaded.voices(), loaded.info().frameMs());
                worker = new InferenceWorker(loaded, queue, metrics).start();
                state.ready(loaded, worker);
            }
            LOG.info("model {} is ready on {}", loaded.info().label(), loaded.info().device());
        } catch (Throwable e) {
            state.phase("failed: " + e.getMessage());
            LOG.error("the model could not be made ready; the service stops", e);
            Quarkus.asyncExit(1);
        }
    }

    /** Converts the model settings to pipeline options, downloading a hub model first. */
    static PipelineOptions options(ServerConfig config, ModelState state) {
        ServerConfig.Model m = config.model();
        ModelSource source;
        if (m.dir().isPresent()) {
            source = ModelSource.local(m.dir().get());
        } else if (m.hfId().isPresent()) {
            ModelSource hub =
                    ModelSource.hub(
                            m.hfId().get(),
                            m.revision(),
                            m.cacheDir(),
                            m.hfEndpoint(),
                            m.hfToken());
            state.phase("downloading 0%");
            source = hub.downloadedTo(new ModelSourceDownloader(hub, state).download());
        } else {
            source = ModelSource.demo();
        }
        ServerConfig.Watermark w = config.watermark();
        return PipelineOptions.of(source)
                .withDevice(m.device())
                .withDtype(m.dtype())
                .withWatermark(w.key(), w.keyId(), w.serviceId())
                .withCpuThreads(config.cpu().threads().orElse(0))
                .withComputePath(m.computePath());
    }

    private CsmPipeline loadAndWarm(PipelineOptions options) {
        long t0 = System.nanoTime();
        state.phase("loading weights");
        CsmPipeline loaded = CsmPipeline.load(options, state);
        try {
            if (loaded.info().demo()) {
                LOG.warn(
                        "no weights configured (csm.model.dir / csm.model.hf-id): running the built-in DEMO "
                                + "model, tiny random weights that produce noise, not speech");
            }
            LOG.info(
                    "model {} loaded on {} in {} ms",
                    loaded.info().label(),
                    loaded.info().device(),
                    (System.nanoTime() - t0) / 1_000_000);
            if (config.model().warmup()) {
                state.phase("warming up");
                long w0 = System.nanoTime();
                // About 15 prompt rows with CSM's Llama-3 tokenizer ("Warm up." made fewer than 9):
                // with float32 weights, prompts of 9 rows or more take the convolution path of
                // nn.Linear,
                // whose oneDNN kernels are built on first use, so the warm-up runs it before the
                // first
                // request does (float16 weights take FBGEMM at any row count; it warms the same
                // way).
                loaded.generate(
                        new GenerationRequest(
                                WARMUP_TEXT, 0, List.of(), 240, SamplingParams.seeded(0)),
                        chunk -> {});
                LOG.info("warm-up generation took {} ms", (System.nanoTime() - w0) / 1_000_000);
            }
            return loaded;
        } catch (RuntimeException | Error e) {
            loaded.close();
            throw e;
        }
    }

    /**
     * The first thing a SIGTERM does (Quarkus fires this before it stops the HTTP server, which
     * then waits for the responses in flight): readiness goes down and new work gets a 503 problem
     * at once, waiting jobs get a 503, and running ones get {@code csm.queue.shutdown-grace} to
     * finish (past it they are cut, never ended like complete files).
     */
    void onShutdownRequested(@Observes ShutdownDelayInitiatedEvent event) {
        drain();
    }

    /** Then the model's memory is freed. */
    void onStop(@Observes ShutdownEvent event) {
        drain();
        CsmPipeline p;
        InferenceWorker w;
        synchronized (this) {
            p = pipeline;
            w = worker;
            pipeline = null;
        }
        if (p != null && (w == null || !w.isAlive())) {
            p.close(); // a worker that outlived its grace may still hold native arrays:
            // leave them to the exit
        }
    }

    private void drain() {
        InferenceWorker w;
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
            state.stopping();
            w = worker;
        }
        if (w != null) {
            LOG.info(
                    "shutting down: refusing new work, giving running requests up to {}",
                    config.queue().shutdownGrace());
            w.shutdown(config.queue().shutdownGrace());
        }
    }
}
