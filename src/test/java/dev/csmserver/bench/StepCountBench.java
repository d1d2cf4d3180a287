package dev.csmserver.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.csmserver.codec.Mimi;
import dev.csmserver.codec.MimiConfig;
import dev.csmserver.codec.MimiStreamDecoder;
import dev.csmserver.codec.RandomMimiWeights;
import dev.csmserver.model.CsmConfig;
import dev.csmserver.model.CsmModel;
import dev.csmserver.model.FrameBatch;
import dev.csmserver.model.GenerationState;
import dev.csmserver.model.PromptRows;
import dev.csmserver.model.RandomCsmWeights;
import dev.csmserver.model.Sampler;
import dev.csmserver.model.StepCodes;
import dev.csmserver.nn.ComputePath;
import dev.csmserver.nn.LlamaConfig;
import dev.csmserver.nn.RopeScaling;
import dev.csmserver.pipeline.ComputePathSetting;
import dev.csmserver.pipeline.DjlRuntime;
import dev.csmserver.weights.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Counts what a frame step costs the host, not the math: JNI calls into libtorch and host↔device
 * transfer calls per batch step, at batch 1, 4 and 8, on random weights with CSM-1B's REAL layer
 * counts (backbone 16, depth decoder 4 with its 31 steps, Mimi's decoder transformer 8) and tiny
 * widths, so the calls, not the FLOPs, set the time. Each step also decodes every row's new frame
 * with its Mimi stream decoder from the codes the step left on the device, as the service does.
 * Prints, never asserts.
 *
 * <p>Counting is real: run the JVM with the opcount agent ({@code ../shared/opcount/opcount.jar},
 * which counts every call of a native method of {@code ai.djl.pytorch.jni.PyTorchLibrary} and
 * rewrites its file with the running totals every 100 ms) and pass the same file as {@code
 * -Dopcount.file}; the bench reads the file before and after each measured block. Without the agent
 * it prints times only. Args: {@code [steps] [f16|f32] [batches, default 1,4,8] [paths, default
 * cpu-default,cuda-shaped]}.
 */
public final class StepCountBench {
    /**
     * The calls that move Java data into or out of libtorch (each waits for a GPU queue to drain).
     */
    static final List<String> TRANSFERS =
            List.of("torchFromBlob", "torchDataPtr", "torchDirectByteBuffer", "torchSet");

    private StepCountBench() {}

    public static void main(String[] args) throws Exception {
        DjlRuntime.init();
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        DataType type =
                args.length > 1 && args[1].equals("f32") ? DataType.FLOAT32 : DataType.FLOAT16;
        int[] batches =
                args.length > 2
                        ? java.util.Arrays.stream(args[2].split(","))
                                .mapToInt(Integer::parseInt)
                                .toArray()
                        : new int[] {1, 4, 8};
        String file = System.getProperty("opcount.file");
        Path counts = file == null ? null : Path.of(file);
        if (counts == null) {
            System.out.println(
                    "no -Dopcount.file: times only (see README, Performance, for the agent)");
        }
        CsmConfig config = realDepthTinyWidth();
        MimiConfig mimiConfig = mimiRealDepthTinyWidth(config.numCodebooks());
        System.out.printf(
                Locale.ROOT,
                "StepCountBench: backbone %d layers, decoder %d layers (%d steps), Mimi %d layers;"
                        + " weights %s, %d steps per batch size%n",
                config.backbone().numLayers(),
                config.decoder().numLayers(),
                config.numCodebooks() - 1,
                mimiConfig.numLayers(),
                type,
                steps);
        String[] paths =
                args.length > 3 ? args[3].split(",") : new String[] {"cpu-default", "cuda-shaped"};
        System.out.println(
                "path         batch  JNI/step (model + Mimi)    transfers/step (model + Mimi)"
                        + "  ms/step  ms/frame");
        for (String path : paths) {
            try (NDManager manager = NDManager.newBaseManager()) {
                ComputePath.mark(manager, ComputePathSetting.parse(path).path());
                CsmModel model =
                        CsmModel.load(
                                config,
                                new Weights(new TreeMap<>(RandomCsmWeights.tensors(config, 7))),
                                manager,
                                type);
                Mimi mimi =
                        Mimi.create(mimiConfig, RandomMimiWeights.create(mimiConfig, 8), manager);
                for (int b : batches) {
                    measure(path, model, mimi, b, steps, counts);
                }
            }
        }
    }

    private static void measure(
            String path, CsmModel model, Mimi mimi, int batch, int steps, Path counts)
            throws IOException, InterruptedException {
        List<GenerationState> states = new ArrayList<>();
        List<MimiStreamDecoder> decoders = new ArrayList<>();
        try (NDManager streams = NDManager.newBaseManager();
                NDManager codes = NDManager.newBaseManager()) {
            for (int r = 0; r < batch; r++) {
                GenerationState s = model.newState(40 + steps + 4, new Sampler(0.9f, 50, r));
                model.prefill(s, randomPrompt(model.config(), 20 + 3 * r, r));
                states.add(s);
                decoders.add(mimi.newStreamDecoder(streams));
            }
            FrameBatch fb = FrameBatch.of(states);
            for (int warm = 0; warm < 2; warm++) {
                MimiStreamDecoder.decodeAll(decoders, model.step(fb, codes).codes());
            }
            // as the service runs a step: the codes stay on the device for the codec
            List<StepCodes> frames = new ArrayList<>(steps);
            Map<String, Long> before = read(counts);
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                frames.add(model.step(fb, codes));
            }
            long t1 = System.nanoTime();
            Map<String, Long> mid = read(counts);
            long t2 = System.nanoTime();
            for (StepCodes f : frames) {
                MimiStreamDecoder.decodeAll(decoders, f.codes());
            }
            long t3 = System.nanoTime();
            Map<String, Long> after = read(counts);
            double stepMs = ((t1 - t0) + (t3 - t2)) / 1e6 / steps;
            if (counts == null) {
                System.out.printf(
                        Locale.ROOT,
                        "%-12s %5d  %-26s %-30s %8.1f %9.1f%n",
                        path,
                        batch,
                        "n/a",
                        "n/a",
                        stepMs,
                        stepMs / batch);
                return;
            }
            double modelCalls = (total(mid) - total(before)) / (double) steps;
            double mimiCalls = (total(after) - total(mid)) / (double) steps;
            double modelMoves = (transfers(mid) - transfers(before)) / (double) steps;
            double mimiMoves = (transfers(after) - transfers(mid)) / (double) steps;
            System.out.printf(
                    Locale.ROOT,
                    "%-12s %5d  %-26s %-30s %8.1f %9.1f   (model %.1f ms/step)%n",
                    path,
                    batch,
                    String.format(
                            Locale.ROOT,
                            "%.0f (%.0f + %.0f)",
                            modelCalls + mimiCalls,
                            modelCalls,
                            mimiCalls),
                    String.format(
                            Locale.ROOT,
                            "%.1f (%.1f + %.1f)",
                            modelMoves + mimiMoves,
                            modelMoves,
                            mimiMoves),
                    stepMs,
                    stepMs / batch,
                    (t1 - t0) / 1e6 / steps);
            if (Boolean.getBoolean("opcount.detail")) {
                printTop(before, mid);
                System.out.println("    Mimi:");
                printTop(mid, after);
            }
        } finally {
            states.forEach(GenerationState::close);
        }
    }

    /** The agent's running totals, after waiting out its 100 ms write period. */
    static Map<String, Long> read(Path counts) throws IOException, InterruptedException {
        Map<String, Long> out = new TreeMap<>();
        if (counts == null) {
            return out;
        }
        Thread.sleep(250);
        for (String line : Files.readAllLines(counts)) {
            String[] p = line.trim().split(" ");
            if (p.length == 2) {
                out.put(p[0], Long.parseLong(p[1]));
            }
        }
        return out;
    }

    private static long total(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }

    private static long transfers(Map<String, Long> m) {
        return TRANSFERS.stream().mapToLong(n -> m.getOrDefault(n, 0L)).sum();
    }

    private static void printTop(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> diff = new TreeMap<>();
        after.forEach((k, v) -> diff.put(k, v - before.getOrDefault(k, 0L)));
        diff.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .limit(25)
                .forEach(e -> System.out.printf("      %-28s %d%n", e.getKey(), e.getValue()));
    }

    /**
     * CSM-1B's layer counts, codebooks and vocabularies with tiny widths (the text table kept
     * small).
     */
    static CsmConfig realDepthTinyWidth() {
        RopeScaling rope = RopeScaling.llama3(500_000);
        return new CsmConfig(
                new LlamaConfig(16, 64, 4, 2, 16, 128, 1e-5, rope, 2048),
                new LlamaConfig(4, 48, 4, 2, 12, 96, 1e-5, rope, 2048),
                384,
                2051,
                32);
    }

    /** Mimi's real geometry and 8-layer transformers with {@link MimiConfig#tiny} widths. */
    static MimiConfig mimiRealDepthTinyWidth(int codebooks) {
        MimiConfig t = MimiConfig.tiny(codebooks, 250);
        return new MimiConfig(
                t.sampleRateHz(),
                t.nFilters(),
                t.dimension(),
                t.ratios(),
                t.kernelSize(),
                t.lastKernelSize(),
                t.residualKernelSize(),
                t.nResidualLayers(),
                t.dilationBase(),
                t.compress(),
                t.numHeads(),
                8,
                t.dimFeedforward(),
                t.context(),
                t.maxPeriod(),
                t.normEps(),
                t.numCodebooks(),
                t.numSemanticCodebooks(),
                t.codebookSize(),
                t.codebookDim(),
                t.frameRateStride());
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
}
