package dev.csmserver.bench;

import ai.djl.engine.Engine;
import dev.csmserver.nn.IntraOpThreads;
import dev.csmserver.pipeline.AudioChunk;
import dev.csmserver.pipeline.ChunkSink;
import dev.csmserver.pipeline.ComputeDevice;
import dev.csmserver.pipeline.ComputePathSetting;
import dev.csmserver.pipeline.CsmPipeline;
import dev.csmserver.pipeline.Generation;
import dev.csmserver.pipeline.GenerationRequest;
import dev.csmserver.pipeline.ModelSource;
import dev.csmserver.pipeline.PipelineOptions;
import dev.csmserver.pipeline.SamplingParams;
import dev.csmserver.pipeline.WeightDtype;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Real-time factor of the service's frame step on a device (a lent GPU: {@code gpu/run-device.sh};
 * the CPU here for a dry run). Loads the real pipeline ({@link CsmPipeline}) on random weights of
 * CSM-1B + Mimi's REAL shapes (or the demo model's tiny ones, {@code shapes=small}, for a smoke
 * run), and for each batch size admits B requests in one packed prefill, then times N batch steps
 * exactly as the inference worker runs them: one batched model step, every stream's new frame
 * through its own Mimi stream decoder, the watermark, the sink. Prints ms per step, RTF (step time
 * / 80 ms of audio each stream gets per step), how many of the B streams kept ahead of real time,
 * and with the opcount agent on ({@code -Dopcount.file}, as for {@link StepCountBench}) JNI calls
 * and host↔device transfers per step. Prints, never asserts.
 *
 * <p>Args, {@code key=value} in any order: {@code shapes=csm1b|small} (csm1b), {@code
 * device=auto|cpu|cuda} (auto), {@code dtype=float16|float32|auto} (float16; the small demo model
 * is float32 always), {@code path=auto|cpu-default|cuda-shaped} (auto: the device's own), {@code
 * batches=1,8,32}, {@code steps=20} measured steps per batch, {@code warmup=2}.
 */
public final class DeviceBench {
    /** One line per batch size, starting with this (scripts and the kit's test grep for it). */
    static final String RESULT = "RESULT";

    private static final String TEXT =
            "The quick brown fox jumps over the lazy dog, and then it runs far away.";

    private DeviceBench() {}

    /** What to run; see the class comment for the arguments. */
    record Settings(
            String shapes,
            ComputeDevice device,
            WeightDtype dtype,
            ComputePathSetting path,
            int[] batches,
            int steps,
            int warmup) {

        static Settings parse(String... args) {
            String shapes = "csm1b";
            ComputeDevice device = ComputeDevice.AUTO;
            WeightDtype dtype = WeightDtype.FLOAT16;
            ComputePathSetting path = ComputePathSetting.AUTO;
            int[] batches = {1, 8, 32};
            int steps = 20;
            int warmup = 2;
            for (String arg : args) {
                int eq = arg.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("expected key=value, not '" + arg + "'");
                }
                String value = arg.substring(eq + 1);
                switch (arg.substring(0, eq)) {
                    case "shapes" -> {
                        if (!value.equals("csm1b") && !value.equals("small")) {
                            throw new IllegalArgumentException(
                                    "shapes must be csm1b or small, not '" + value + "'");
                        }
                        shapes = value;
                    }
                    case "device" -> device = ComputeDevice.parse(value);
                    case "dtype" -> dtype = WeightDtype.parse(value);
                    case "path" -> path = ComputePathSetting.parse(value);
                    case "batches" ->
                            batches =
                                    Arrays.stream(value.split(","))
                                            .mapToInt(s -> Integer.parseInt(s.strip()))
                                            .toArray();
                    case "steps" -> steps = Integer.parseInt(value);
                    case "warmup" -> warmup = Integer.parseInt(value);
                    default -> throw new IllegalArgumentException("unknown setting '" + arg + "'");
                }
            }
            if (steps < 1 || warmup < 0 || Arrays.stream(batches).anyMatch(b -> b < 1)) {
                throw new IllegalArgumentException("steps and batch sizes must be at least 1");
            }
            return new Settings(shapes, device, dtype, path, batches, steps, warmup);
        }

        PipelineOptions options() {
            ModelSource source =
                    shapes.equals("small") ? ModelSource.demo() : ModelSource.randomRealShape();
            return PipelineOptions.of(source)
                    .withDevice(device)
                    .withDtype(dtype)
                    .withComputePath(path);
        }
    }

    /** One batch size's numbers. */
    record Result(
            int batch,
            double meanMs,
            double minMs,
            double maxMs,
            int fasterThanRealTime,
            double slowestSpeed,
            double jniPerStep,
            double transfersPerStep) {
        double rtf() {
            return meanMs / GenerationRequest.FRAME_MS;
        }
    }

    public static void main(String[] args) throws Exception {
        run(Settings.parse(args), System.out);
    }

    /** Runs the bench, printing progress and results to {@code out}; returns the results. */
    static List<Result> run(Settings s, PrintStream out) throws Exception {
        String file = System.getProperty("opcount.file");
        Path counts = file == null ? null : Path.of(file);
        out.printf(
                Locale.ROOT,
                "DeviceBench: %s shapes, device %s, dtype %s, compute path %s, batches %s,"
                        + " %d warm-up + %d measured steps each, %d cores, %s%n",
                s.shapes(),
                s.device().setting(),
                s.shapes().equals("small") ? "float32 (demo model)" : s.dtype().setting(),
                s.path().setting(),
                Arrays.toString(s.batches()),
                s.warmup(),
                s.steps(),
                Runtime.getRuntime().availableProcessors(),
                counts == null
                        ? "no -Dopcount.file: times only"
                        : "counting JNI calls (" + counts + ")");
        long t0 = System.nanoTime();
        CsmPipeline loaded;
        try (Heartbeat beat = new Heartbeat(out, "loading weights", t0)) {
            // loaded on a thread that ends, as the service does (see IntraOpThreads)
            loaded =
                    IntraOpThreads.onThreadThatEnds(
                            "csm-model-load", () -> CsmPipeline.load(s.options(), beat::phase));
        }
        List<Result> results = new ArrayList<>();
        try (CsmPipeline pipeline = loaded) {
            out.printf(
                    Locale.ROOT,
                    "loaded %s on %s (PyTorch %s) in %.1f s, RSS %s%n",
                    pipeline.info().label(),
                    pipeline.info().device(),
                    Engine.getEngine("PyTorch").getVersion(),
                    (System.nanoTime() - t0) / 1e9,
                    proc("VmRSS"));
            for (int b : s.batches()) {
                try {
                    Result r = measure(pipeline, b, s, counts, out);
                    results.add(r);
                    out.println(line(r));
                } catch (RuntimeException e) {
                    // e.g. out of device memory: the next batch size still runs
                    out.printf(Locale.ROOT, "%s batch %d: FAILED: %s%n", RESULT, b, e);
                }
            }
        }
        out.printf(
                Locale.ROOT,
                "done in %.1f s, peak RSS %s%n",
                (System.nanoTime() - t0) / 1e9,
                proc("VmHWM"));
        return results;
    }

    static String line(Result r) {
        return String.format(
                Locale.ROOT,
                "%s batch %d: %.1f ms/step (min %.1f, max %.1f), RTF %.3f, %d/%d streams faster"
                        + " than real time (slowest stream %.2fx real time)%s",
                RESULT,
                r.batch(),
                r.meanMs(),
                r.minMs(),
                r.maxMs(),
                r.rtf(),
                r.fasterThanRealTime(),
                r.batch(),
                r.slowestSpeed(),
                Double.isNaN(r.jniPerStep())
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                ", %.0f JNI calls and %.1f transfers per step",
                                r.jniPerStep(),
                                r.transfersPerStep()));
    }

    private static Result measure(
            CsmPipeline pipeline, int batch, Settings s, Path counts, PrintStream out)
            throws IOException, InterruptedException {
        int baseline = pipeline.liveArrayCount();
        // each request may run every step of the bench, and one frame more
        int maxAudioMs = (s.warmup() + s.steps() + 1) * GenerationRequest.FRAME_MS;
        List<GenerationRequest> requests = new ArrayList<>(batch);
        List<AudioCounter> sinks = new ArrayList<>(batch);
        List<ChunkSink> asSinks = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            requests.add(
                    new GenerationRequest(
                            TEXT, i % 2, List.of(), maxAudioMs, SamplingParams.seeded(i)));
            AudioCounter c = new AudioCounter();
            sinks.add(c);
            asSinks.add(c);
        }
        out.printf(
                Locale.ROOT,
                "batch %d: admitting %d requests (one packed prefill)...%n",
                batch,
                batch);
        long t0 = System.nanoTime();
        List<Generation> gens = pipeline.startAll(requests, asSinks);
        try {
            out.printf(
                    Locale.ROOT,
                    "batch %d: prefilled in %.0f ms; %d warm-up steps...%n",
                    batch,
                    (System.nanoTime() - t0) / 1e6,
                    s.warmup());
            for (int i = 0; i < s.warmup(); i++) {
                pipeline.step(gens);
            }
            sinks.forEach(AudioCounter::reset);
            out.printf(Locale.ROOT, "batch %d: measuring %d steps...%n", batch, s.steps());
            Map<String, Long> before = StepCountBench.read(counts);
            double[] stepMs = new double[s.steps()];
            long start = System.nanoTime();
            long lastNote = start;
            for (int i = 0; i < s.steps(); i++) {
                long a = System.nanoTime();
                pipeline.step(gens);
                long e = System.nanoTime();
                stepMs[i] = (e - a) / 1e6;
                if (e - lastNote > 10_000_000_000L) { // slow runs (real shapes on a CPU) show life
                    out.printf(
                            Locale.ROOT,
                            "batch %d:   step %d/%d took %.0f ms%n",
                            batch,
                            i + 1,
                            s.steps(),
                            stepMs[i]);
                    lastNote = e;
                }
            }
            double wallMs = (System.nanoTime() - start) / 1e6;
            Map<String, Long> after = StepCountBench.read(counts);
            int ahead = 0;
            double slowest = Double.POSITIVE_INFINITY;
            for (AudioCounter c : sinks) {
                double speed = c.audioMs() / wallMs; // audio made per wall time, this stream
                slowest = Math.min(slowest, speed);
                if (speed > 1) {
                    ahead++;
                }
            }
            double jni = Double.NaN;
            double moves = Double.NaN;
            if (counts != null) {
                jni = (total(after) - total(before)) / (double) s.steps();
                moves = (transfers(after) - transfers(before)) / (double) s.steps();
            }
            return new Result(
                    batch,
                    Arrays.stream(stepMs).average().orElse(Double.NaN),
                    Arrays.stream(stepMs).min().orElse(Double.NaN),
                    Arrays.stream(stepMs).max().orElse(Double.NaN),
                    ahead,
                    slowest,
                    jni,
                    moves);
        } finally {
            gens.forEach(Generation::close);
            int left = pipeline.liveArrayCount() - baseline;
            if (left != 0) {
                out.printf(Locale.ROOT, "batch %d: %d native arrays left behind%n", batch, left);
            }
        }
    }

    private static long total(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }

    private static long transfers(Map<String, Long> m) {
        return StepCountBench.TRANSFERS.stream().mapToLong(n -> m.getOrDefault(n, 0L)).sum();
    }

    /** Counts the watermarked audio a stream receives (its sink in the service). */
    private static final class AudioCounter implements ChunkSink {
        private long samples;
        private int rate = 1;

        @Override
        public void accept(AudioChunk chunk) {
            samples += chunk.samples().length;
            rate = chunk.sampleRateHz();
        }

        void reset() {
            samples = 0;
        }

        double audioMs() {
            return samples * 1000.0 / rate;
        }
    }

    /** Prints the load's latest phase every 15 s, so a slow load shows it is alive. */
    private static final class Heartbeat implements AutoCloseable {
        private final ScheduledExecutorService timer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "device-bench-heartbeat");
                            t.setDaemon(true);
                            return t;
                        });
        private volatile String phase;

        Heartbeat(PrintStream out, String first, long t0) {
            this.phase = first;
            timer.scheduleAtFixedRate(
                    () ->
                            out.printf(
                                    Locale.ROOT,
                                    "  ... %s, %.0f s, RSS %s%n",
                                    phase,
                                    (System.nanoTime() - t0) / 1e9,
                                    proc("VmRSS")),
                    15,
                    15,
                    TimeUnit.SECONDS);
        }

        void phase(String p) {
            phase = p;
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }

    private static String proc(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    return line.substring(key.length() + 1).strip();
                }
            }
        } catch (IOException e) {
            return "n/a";
        }
        return "n/a";
    }
}
