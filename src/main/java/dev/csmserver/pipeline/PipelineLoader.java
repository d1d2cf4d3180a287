package dev.csmserver.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.csmserver.audio.Pcm;
import dev.csmserver.audio.SincResampler;
import dev.csmserver.audio.WavReader;
import dev.csmserver.audio.watermark.StreamingWatermarker;
import dev.csmserver.audio.watermark.WatermarkKey;
import dev.csmserver.audio.watermark.WatermarkPayload;
import dev.csmserver.codec.Mimi;
import dev.csmserver.codec.MimiConfig;
import dev.csmserver.codec.RandomMimiWeights;
import dev.csmserver.model.CsmConfig;
import dev.csmserver.model.CsmModel;
import dev.csmserver.model.RandomCsmWeights;
import dev.csmserver.nn.ComputePath;
import dev.csmserver.nn.FbgemmFp16;
import dev.csmserver.nn.RowParallel;
import dev.csmserver.tokenizer.TextTokenizer;
import dev.csmserver.weights.CsmCheckpoint;
import dev.csmserver.weights.CsmLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a {@link CsmPipeline} from {@link PipelineOptions}: the demo model, or a local directory
 * in either CSM layout. A transformers-layout directory carries Mimi inside ({@code codec_model.*},
 * {@code codec_config}); an original-layout one needs a Mimi checkpoint beside it ({@code
 * mimi.safetensors}, the moshi file {@code tokenizer-e351c8d8-checkpoint125.safetensors}, or a
 * {@code mimi/} folder with its own {@code config.json}). Both need {@code tokenizer.json}. A
 * folder laid out like the published {@code sesame/csm-1b} holds both layouts; its {@code
 * config.json} names the transformers export ({@code transformers_weights}), which is loaded. The
 * published voice prompts in {@code prompts/} are encoded once here ({@link PublishedVoices}).
 */
final class PipelineLoader {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineLoader.class);
    private static final List<String> MIMI_FILES =
            List.of(
                    "mimi.safetensors",
                    "tokenizer-e351c8d8-checkpoint125.safetensors",
                    "mimi/model.safetensors");

    private PipelineLoader() {}

    static CsmPipeline load(PipelineOptions o, LoadProgress progress) {
        DjlRuntime.init();
        Device device = DjlRuntime.device(o.device());
        ComputePath path = o.computePath().path(); // null: the device's own
        DataType dtype = dtype(o.dtype(), device);
        StreamingWatermarker watermark =
                new StreamingWatermarker(
                        WatermarkKey.fromSecret(
                                o.watermarkSecret(),
                                new WatermarkPayload(o.watermarkKeyId(), o.watermarkServiceId())));
        NDManager weights = NDManager.newBaseManager(device);
        ComputePath.mark(weights, path);
        RowParallel rows = RowParallel.create(o.cpuThreads()); // closed with the pipeline
        RowParallel.attach(weights, rows);
        try {
            switch (o.source().kind()) {
                case DEMO:
                    return demo(weights, watermark);
                case RANDOM_REAL_SHAPE:
                    return realShape(weights, dtype, watermark);
                default:
                    if (o.source().localDir() == null) {
                        throw new IllegalArgumentException(
                                o.source().label() + " is not downloaded yet");
                    }
                    return local(
                            o.source().localDir(),
                            o.source().label(),
                            weights,
                            dtype,
                            watermark,
                            progress);
            }
        } catch (RuntimeException e) {
            rows.close();
            weights.close();
            throw e;
        }
    }

    /**
     * auto: float16 on CUDA, and on a CPU where FBGEMM multiplies packed float16 weights (faster
     * than float32 at every batch size, half the memory, logits within the tolerance of the
     * reference's own 16-bit run); float32 on a CPU without FBGEMM, where float16 is slow at
     * batches.
     */
    static DataType dtype(WeightDtype setting, Device device) {
        return switch (setting) {
            case AUTO ->
                    device.isGpu() || FbgemmFp16.available().isPresent()
                            ? DataType.FLOAT16
                            : DataType.FLOAT32;
            case FLOAT32 -> DataType.FLOAT32;
            case FLOAT16 -> DataType.FLOAT16;
        };
    }

    private static CsmPipeline demo(NDManager weights, StreamingWatermarker watermark) {
        Path tokenizerFile = DemoModel.tokenizerFile();
        TextTokenizer tokenizer = TextTokenizer.open(tokenizerFile);
        CsmConfig config = DemoModel.csmConfig(DemoModel.vocabSize(tokenizerFile));
        CsmModel model =
                CsmModel.load(config, DemoModel.csmWeights(config), weights, DataType.FLOAT32);
        MimiConfig mc = DemoModel.mimiConfig();
        Mimi mimi = Mimi.create(mc, DemoModel.mimiWeights(mc), weights);
        return new CsmPipeline(
                weights, tokenizer, model, mimi, watermark, DemoModel.LABEL, true, List.of());
    }

    /** CSM-1B and Mimi shapes with random weights and the demo tokenizer (benchmarks: noise). */
    private static CsmPipeline realShape(
            NDManager weights, DataType dtype, StreamingWatermarker watermark) {
        TextTokenizer tokenizer = TextTokenizer.open(DemoModel.tokenizerFile());
        CsmConfig config = CsmConfig.csm1b();
        CsmModel model =
                CsmModel.load(
                        config, RandomCsmWeights.weights(config, DemoModel.SEED), weights, dtype);
        MimiConfig mc = MimiConfig.v0_1(config.numCodebooks());
        Mimi mimi = Mimi.create(mc, RandomMimiWeights.create(mc, DemoModel.SEED + 1), weights);
        return new CsmPipeline(
                weights,
                tokenizer,
                model,
                mimi,
                watermark,
                ModelSource.randomRealShape().label(),
                true,
                List.of());
    }

    private static CsmPipeline local(
            Path dir,
            String label,
            NDManager weights,
            DataType dtype,
            StreamingWatermarker watermark,
            LoadProgress progress) {
        Path tokenizerFile = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizerFile)) {
            throw new IllegalArgumentException(
                    dir + ": tokenizer.json is missing (found " + listing(dir) + ")");
        }
        CsmCheckpoint ckpt = CsmCheckpoint.load(dir);
        CsmConfig config = CsmConfig.fromJson(ckpt.config());
        LOG.info(
                "CSM checkpoint {} ({} layout), {} codebooks, weights as {}",
                ckpt.source(),
                ckpt.layout(),
                config.numCodebooks(),
                dtype);
        TextTokenizer tokenizer = TextTokenizer.open(tokenizerFile);
        // Progress in the units a user can follow: the embeddings, then each backbone and decoder
        // layer.
        int steps = 1 + config.backbone().numLayers() + config.decoder().numLayers();
        ProgressLog log = ProgressLog.count(LOG, "loading weights", steps);
        int[] done = {0};
        progress.phase("loading weights 0/" + steps);
        CsmModel model =
                CsmModel.load(
                        config,
                        ckpt.weights(),
                        weights,
                        dtype,
                        () -> {
                            done[0]++;
                            progress.phase("loading weights " + done[0] + "/" + steps);
                            log.update(done[0]);
                        });
        log.done(done[0]);
        progress.phase("loading codec");
        Mimi mimi = mimi(dir, ckpt, config, weights);
        List<BuiltInVoice> voices = voices(dir, mimi, progress);
        return new CsmPipeline(weights, tokenizer, model, mimi, watermark, label, false, voices);
    }

    /**
     * The published voice prompts the folder has, each encoded once (resampled to the codec's
     * rate).
     */
    static List<BuiltInVoice> voices(Path dir, Mimi mimi, LoadProgress progress) {
        List<BuiltInVoice> out = new ArrayList<>();
        for (PublishedVoices.Voice v : PublishedVoices.ALL) {
            Path wav = dir.resolve(v.file());
            if (!Files.isRegularFile(wav)) {
                continue;
            }
            progress.phase("encoding voice " + v.id());
            int rate = mimi.config().sampleRateHz();
            Pcm pcm = WavReader.read(wav);
            Pcm audio = pcm.sampleRateHz() == rate ? pcm : SincResampler.resample(pcm, rate);
            int[][] codes = mimi.encode(audio.samples());
            BuiltInVoice voice =
                    new BuiltInVoice(
                            v.id(),
                            new Segment(v.speaker(), v.text(), codes),
                            codes.length == 0
                                    ? 0
                                    : codes[0].length * (double) mimi.config().frameSize() / rate);
            LOG.info(
                    "built-in voice {} (speaker {}): {} frames from {}",
                    v.id(),
                    v.speaker(),
                    voice.segment().numFrames(),
                    wav);
            out.add(voice);
        }
        return out;
    }

    private static Mimi mimi(Path dir, CsmCheckpoint ckpt, CsmConfig config, NDManager weights) {
        if (ckpt.layout() != CsmLayout.ORIGINAL && ckpt.config().has("codec_config")) {
            return Mimi.load(ckpt.source(), MimiConfig.fromJson(ckpt.config()), weights);
        }
        for (String name : MIMI_FILES) {
            Path f = dir.resolve(name);
            if (Files.isRegularFile(f)) {
                Path cfg =
                        f.resolveSibling(
                                name.startsWith("mimi/") ? "config.json" : "mimi_config.json");
                MimiConfig mc =
                        Files.isRegularFile(cfg)
                                ? MimiConfig.fromJson(cfg)
                                : MimiConfig.v0_1(config.numCodebooks());
                LOG.info("Mimi checkpoint {}", f);
                return Mimi.load(f, mc, weights);
            }
        }
        throw new IllegalArgumentException(
                dir
                        + ": no Mimi codec for the "
                        + ckpt.layout()
                        + " checkpoint "
                        + ckpt.source().getFileName()
                        + ": expected one of "
                        + MIMI_FILES
                        + " beside it, or a transformers "
                        + "checkpoint with codec_model.* weights and codec_config; found "
                        + listing(dir));
    }

    private static List<String> listing(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName() + (Files.isDirectory(p) ? "/" : ""))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of("(unreadable: " + e.getMessage() + ")");
        }
    }
}
