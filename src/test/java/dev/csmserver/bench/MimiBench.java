package dev.csmserver.bench;

import ai.djl.ndarray.NDManager;
import dev.csmserver.codec.Mimi;
import dev.csmserver.codec.MimiConfig;
import dev.csmserver.codec.MimiStreamDecoder;
import dev.csmserver.codec.RandomMimiWeights;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Mimi speed at the REAL shapes ({@code MimiConfig.v0_1(32)}) with random weights: milliseconds to
 * decode one frame streaming, offline decode and encode time per second of audio, and peak RSS
 * (VmHWM). Prints, never asserts. Args: {@code [seconds=10] [streamFrames=100] [config=real|tiny]}.
 * Run with {@code DJL_OFFLINE=true}; thread count via {@code -Dai.djl.pytorch.num_threads=N}. On
 * this sandboxed VM every fresh page costs a slow fault and libtorch allocates a new output per op,
 * so numbers depend heavily on the allocator: compare with {@code
 * LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2} (reuses freed pages) and with one intra-op
 * thread (OpenMP workers on an oversubscribed host add scheduler waits to every conv).
 */
public final class MimiBench {
    private static final int OFFLINE_PASSES = 3;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static double[] cpuMs;

    private MimiBench() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", "true");
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        int streamFrames = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        boolean tiny = args.length > 2 && args[2].equals("tiny");
        MimiConfig config = tiny ? MimiConfig.tiny(32, 250) : MimiConfig.v0_1(32);
        try (NDManager manager = NDManager.newBaseManager();
                Mimi mimi = Mimi.create(config, RandomMimiWeights.create(config, 1), manager)) {
            System.out.printf(
                    "MimiBench: %s Mimi, %d codebooks, %s threads (availableProcessors %d)%n",
                    tiny ? "tiny" : "real-shape",
                    config.numCodebooks(),
                    threads(),
                    Runtime.getRuntime().availableProcessors());
            int frames = (int) Math.round(seconds * config.frameRateHz());
            SplittableRandom rng = new SplittableRandom(3);
            int[][] codes = new int[config.numCodebooks()][frames];
            for (int[] row : codes) {
                Arrays.setAll(row, i -> rng.nextInt(config.codebookSize()));
            }
            float[] pcm = new float[frames * config.frameSize()];
            for (int i = 0; i < pcm.length; i++) {
                pcm[i] = (float) (0.3 * Math.sin(i * 0.031) + 0.05 * (rng.nextDouble() - 0.5));
            }
            mimi.decode(slice(codes, 0, Math.min(frames, 25))); // warm-up
            mimi.encode(Arrays.copyOf(pcm, Math.min(pcm.length, 48_000)));

            double[] frameMs = stream(mimi, codes, streamFrames, manager);
            Arrays.sort(frameMs);
            Arrays.sort(cpuMs);
            System.out.printf(
                    "stream decode, 1 frame per call (%d frames after 10 warm-up): wall median %.2f ms,"
                            + " p90 %.2f ms, max %.2f ms; calling-thread CPU median %.2f ms per 80 ms frame%n",
                    frameMs.length,
                    frameMs[frameMs.length / 2],
                    frameMs[(int) (frameMs.length * 0.9)],
                    frameMs[frameMs.length - 1],
                    cpuMs[cpuMs.length / 2]);

            offline("decode", seconds, () -> mimi.decode(codes));
            offline("encode", seconds, () -> mimi.encode(pcm));
            System.out.printf(
                    "load average at end: %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
            System.out.println("peak RSS (VmHWM): " + vmHwm());
        }
    }

    private static double[] stream(Mimi mimi, int[][] codes, int n, NDManager manager) {
        int total = codes[0].length;
        double[] ms = new double[n];
        cpuMs = new double[n];
        try (MimiStreamDecoder s = mimi.newStreamDecoder(manager)) {
            for (int f = 0; f < n + 10; f++) {
                int at = f % total;
                long t0 = System.nanoTime();
                long c0 = THREADS.getCurrentThreadCpuTime();
                s.decode(slice(codes, at, at + 1));
                if (f >= 10) {
                    ms[f - 10] = (System.nanoTime() - t0) / 1e6;
                    cpuMs[f - 10] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e6;
                }
            }
        }
        return ms;
    }

    private static int[][] slice(int[][] codes, int from, int to) {
        int[][] out = new int[codes.length][];
        for (int q = 0; q < codes.length; q++) {
            out[q] = Arrays.copyOfRange(codes[q], from, to);
        }
        return out;
    }

    private static String threads() {
        String p = System.getProperty("ai.djl.pytorch.num_threads");
        return p == null ? "default" : p;
    }

    private static String vmHwm() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM")) {
                return line.substring(6).trim();
            }
        }
        return "n/a";
    }

    /**
     * Times {@value #OFFLINE_PASSES} offline passes over {@code seconds} of audio and prints the
     * median and the range per second of audio (one pass is under a second, so a single one mostly
     * measures the VM's neighbours), with the calling thread's CPU time of the median pass.
     */
    private static void offline(String what, double seconds, Runnable pass) {
        double[][] runs = new double[OFFLINE_PASSES][]; // {wall ms, cpu ms}
        for (int i = 0; i < runs.length; i++) {
            long t0 = System.nanoTime();
            long c0 = THREADS.getCurrentThreadCpuTime();
            pass.run();
            runs[i] =
                    new double[] {
                        (System.nanoTime() - t0) / 1e6,
                        (THREADS.getCurrentThreadCpuTime() - c0) / 1e6
                    };
        }
        Arrays.sort(runs, (a, b) -> Double.compare(a[0], b[0]));
        double[] median = runs[runs.length / 2];
        System.out.printf(
                "offline %s of %.1f s, %d passes: median %.1f ms per second of audio (range %.1f-%.1f;"
                        + " calling-thread CPU %.1f ms per second)%n",
                what,
                seconds,
                runs.length,
                median[0] / seconds,
                runs[0][0] / seconds,
                runs[runs.length - 1][0] / seconds,
                median[1] / seconds);
    }
}
