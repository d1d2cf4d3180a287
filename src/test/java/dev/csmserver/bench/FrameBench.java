package dev.csmserver.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.csmserver.model.CodePicker;
import dev.csmserver.model.CsmConfig;
import dev.csmserver.model.CsmModel;
import dev.csmserver.model.FrameBatch;
import dev.csmserver.model.GenerationState;
import dev.csmserver.model.PromptRows;
import dev.csmserver.model.RandomCsmWeights;
import dev.csmserver.model.Sampler;
import dev.csmserver.pipeline.DjlRuntime;
import dev.csmserver.weights.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Frame-step speed of CSM on random weights of the REAL CSM-1B shapes built in memory (no file):
 * prefill of a 200-row prompt, ms per frame (backbone step, the K-1 decoder steps, total) at batch
 * 1 and 4, for float32 and float16 weights, and peak RSS. Prints, never asserts. Args: {@code
 * [csm1b|tiny] [f32|f16|both] [frames]}.
 */
public final class FrameBench {
    private FrameBench() {}

    public static void main(String[] args) throws IOException {
        DjlRuntime.init();
        CsmConfig config =
                args.length > 0 && args[0].equals("tiny")
                        ? CsmConfig.tiny(32, 67, 384)
                        : CsmConfig.csm1b();
        String types = args.length > 1 ? args[1] : "both";
        int frames = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        System.out.printf(
                "FrameBench: %s shapes, %d cores, intra-op threads from DJL%n",
                args.length > 0 ? args[0] : "csm1b", Runtime.getRuntime().availableProcessors());
        if (!types.equals("f16")) {
            run(config, DataType.FLOAT32, frames);
        }
        if (!types.equals("f32")) {
            run(config, DataType.FLOAT16, frames);
        }
        System.out.printf("peak RSS (VmHWM) %s%n", proc("VmHWM"));
    }

    private static void run(CsmConfig config, DataType type, int frames) throws IOException {
        System.out.printf("== weights %s%n", type);
        try (NDManager manager = NDManager.newBaseManager()) {
            long t0 = System.nanoTime();
            CsmModel model =
                    CsmModel.load(
                            config,
                            progressWeights(config),
                            manager,
                            type,
                            progress(
                                    config.backbone().numLayers()
                                            + config.decoder().numLayers()
                                            + 1));
            System.out.printf(
                    "loaded in %.1f s, RSS now %s%n",
                    (System.nanoTime() - t0) / 1e9, proc("VmRSS"));
            prefill(model, 200);
            perFrame(model, 1, frames);
            perFrame(model, 4, frames);
        }
    }

    private static void prefill(CsmModel model, int rows) {
        PromptRows prompt = randomPrompt(model.config(), rows, 1);
        for (int rep = 0; rep < 2; rep++) {
            try (GenerationState probe = model.newState(rows, Sampler.greedy());
                    NDScope s = new NDScope()) {
                long t0 = System.nanoTime();
                model.backbone()
                        .forward(
                                model.embedder()
                                        .embedRows(prompt.tokens(), prompt.mask())
                                        .expandDims(0),
                                Collections.singletonList(CsmModel.caches(probe)),
                                new int[] {0})
                        .toFloatArray();
                System.out.printf(
                        "prefill %d rows (backbone)%s: %.0f ms, RSS now %s%n",
                        rows,
                        rep == 0 ? " [cold]" : "",
                        (System.nanoTime() - t0) / 1e6,
                        proc("VmRSS"));
            }
        }
    }

    private static void perFrame(CsmModel model, int batch, int frames) {
        List<GenerationState> states = new ArrayList<>();
        try {
            for (int b = 0; b < batch; b++) {
                GenerationState st = model.newState(40 + frames + 3, new Sampler(0.9f, 50, b));
                PromptRows p = randomPrompt(model.config(), 30 + 3 * b, b);
                model.prefill(st, p);
                states.add(st);
            }
            FrameBatch fb = FrameBatch.of(states);
            Timer timer = new Timer(states, model.config().numCodebooks());
            model.step(fb, timer); // warm-up
            timer.reset();
            long t0 = System.nanoTime();
            for (int f = 0; f < frames; f++) {
                timer.start = System.nanoTime();
                model.step(fb, timer);
                timer.stop();
            }
            double total = (System.nanoTime() - t0) / 1e6 / frames;
            System.out.printf(
                    "batch %d: %.0f ms per step (backbone %.0f ms, c0 + %d decoder steps %.0f ms),"
                            + " %.2f frames/s aggregate, RSS now %s%n",
                    batch,
                    total,
                    timer.backboneMs / frames,
                    model.config().numCodebooks() - 1,
                    timer.decoderMs / frames,
                    batch * 1000.0 / total,
                    proc("VmRSS"));
        } finally {
            states.forEach(GenerationState::close);
        }
    }

    /** Notes when the backbone's part of a step ends and the heads (c0, decoder) start. */
    private static final class Timer implements CodePicker {
        private final List<GenerationState> states;
        private final int k;
        long start;
        private long backboneDone;
        double backboneMs;
        double decoderMs;

        Timer(List<GenerationState> states, int k) {
            this.states = states;
            this.k = k;
        }

        @Override
        public void headsStarting() {
            backboneDone = System.nanoTime();
        }

        void stop() {
            long end = System.nanoTime();
            backboneMs += (backboneDone - start) / 1e6;
            decoderMs += (end - backboneDone) / 1e6;
        }

        void reset() {
            backboneMs = 0;
            decoderMs = 0;
        }
    }

    private static PromptRows randomPrompt(CsmConfig c, int rows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int k = c.numCodebooks();
        long[][] t = new long[rows][k + 1];
        boolean[][] m = new boolean[rows][k + 1];
        for (int i = 0; i < rows; i++) {
            boolean text = i % 3 == 0;
            for (int j = 0; j < k; j++) {
                t[i][j] = text ? 0 : r.nextInt(c.audioVocabSize() - 3);
                m[i][j] = !text;
            }
            t[i][k] = text ? r.nextInt(c.textVocabSize()) : 0;
            m[i][k] = text;
        }
        return new PromptRows(t, m);
    }

    private static Weights progressWeights(CsmConfig config) {
        return new Weights(new TreeMap<>(RandomCsmWeights.tensors(config, 42)));
    }

    private static Runnable progress(int total) {
        int[] done = {0};
        return () ->
                System.out.printf(
                        "  built %d/%d weight groups, RSS %s%n", ++done[0], total, proc("VmRSS"));
    }

    private static String proc(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    return line.substring(key.length() + 1).trim();
                }
            }
        } catch (IOException e) {
            return "n/a";
        }
        return "n/a";
    }
}
