package dev.csmserver.config;

import dev.csmserver.nn.IntraOpThreads;
import dev.csmserver.pipeline.CsmPipeline;
import dev.csmserver.pipeline.DjlRuntime;
import dev.csmserver.pipeline.GenerationRequest;
import dev.csmserver.pipeline.ModelSource;
import dev.csmserver.pipeline.ModelSourceDownloader;
import dev.csmserver.pipeline.PipelineOptions;
import dev.csmserver.pipeline.SamplingParams;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the pipeline once at startup from {@link ServerConfig}: downloads a hub model if one is
 * configured (never at request time), loads it (or the built-in demo model when no weights are
 * configured), and warms it with one short generation before readiness turns green.
 */
@ApplicationScoped
public class PipelineProducer {
    private static final String WARMUP_TEXT = "Warming up the speech model before the first request arrives.";

    private static final Logger LOG = LoggerFactory.getLogger(PipelineProducer.class);

    /** Converts the model settings to pipeline options (downloading a hub model first). */
    static PipelineOptions options(ServerConfig config) {
        ServerConfig.Model m = config.model();
        ModelSource source;
        if (m.dir().isPresent()) {
            source = ModelSource.local(m.dir().get());
        } else if (m.hfId().isPresent()) {
            ModelSource hub = ModelSource.hub(
                    m.hfId().get(), m.revision(), m.cacheDir(), m.hfEndpoint(), m.hfToken());
            source = hub.downloadedTo(new ModelSourceDownloader(hub).download());
        } else {
            source = ModelSource.demo();
        }
        ServerConfig.Watermark w = config.watermark();
        return new PipelineOptions(source, m.device(), m.dtype(), w.key(), w.keyId(), w.serviceId());
    }

    @Produces
    @Singleton
    @Startup
    CsmPipeline pipeline(ServerConfig config, ModelState state) {
        DjlRuntime.init();
        PipelineOptions options = options(config);
        // Loaded and warmed on a thread that then ends, so the inference worker's OpenMP team is
        // the only one left and libgomp keeps spinning between its parallel regions.
        CsmPipeline pipeline = IntraOpThreads.onThreadThatEnds("csm-model-load", () -> loadAndWarm(options, config));
        state.ready(pipeline.info());
        return pipeline;
    }

    private static CsmPipeline loadAndWarm(PipelineOptions options, ServerConfig config) {
        long t0 = System.nanoTime();
        CsmPipeline pipeline = CsmPipeline.load(options);
        try {
            if (pipeline.info().demo()) {
                LOG.warn("no weights configured (csm.model.dir / csm.model.hf-id): running the built-in DEMO "
                        + "model, tiny random weights that produce noise, not speech");
            }
            LOG.info("model {} loaded on {} in {} ms", pipeline.info().label(), pipeline.info().device(),
                    (System.nanoTime() - t0) / 1_000_000);
            if (config.model().warmup()) {
                long w0 = System.nanoTime();
                // About 15 prompt rows with CSM's Llama-3 tokenizer ("Warm up." made fewer than 9):
                // with float32 weights, prompts of 9 rows or more take the convolution path of nn.Linear,
                // whose oneDNN kernels are built on first use, so the warm-up runs it before the first
                // request does (float16 weights take FBGEMM at any row count; it warms the same way).
                pipeline.generate(new GenerationRequest(WARMUP_TEXT, 0, List.of(), 240,
                        new SamplingParams(SamplingParams.DEFAULT_TEMPERATURE, SamplingParams.DEFAULT_TOP_K, 0)),
                        chunk -> { });
                LOG.info("warm-up generation took {} ms", (System.nanoTime() - w0) / 1_000_000);
            }
            return pipeline;
        } catch (RuntimeException | Error e) {
            pipeline.close();
            throw e;
        }
    }

    void close(@Disposes CsmPipeline pipeline) {
        pipeline.close();
    }
}
