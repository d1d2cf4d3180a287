package dev.csmserver.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.csmserver.pipeline.DjlRuntime;
import dev.csmserver.weights.Weights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * In-JVM A/B of a frame's heads (c0 + 31 decoder steps) on random CSM-1B weights: the scripted
 * heads ({@link FrameHeads}, one call) against the host-driven DJL path they replaced, alternating
 * rounds so both see the same machine. Prints ms per frame's heads per round, never asserts. Args:
 * {@code [f16|f32] [rounds]}. (In this package: the host path is a test hook.)
 */
public final class HeadsAbBench {
    private HeadsAbBench() {}

    public static void main(String[] args) {
        DjlRuntime.init();
        DataType type =
                args.length > 0 && args[0].equals("f32") ? DataType.FLOAT32 : DataType.FLOAT16;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        CsmConfig config = CsmConfig.csm1b();
        try (NDManager manager = NDManager.newBaseManager()) {
            CsmModel model =
                    CsmModel.load(
                            config,
                            new Weights(new TreeMap<>(RandomCsmWeights.tensors(config, 42))),
                            manager,
                            type);
            for (int batch : new int[] {1, 4}) {
                List<GenerationState> states = new ArrayList<>();
                for (int b = 0; b < batch; b++) {
                    GenerationState s = model.newState(16 + 4 * rounds + 4, Sampler.greedy());
                    model.prefill(s, prompt(config, 12 + b));
                    states.add(s);
                }
                FrameBatch fb = FrameBatch.of(states);
                double[][] ms = new double[2][rounds];
                for (int r = -1; r < rounds; r++) { // round -1 warms both
                    for (int host = 0; host < 2; host++) {
                        model.useHostHeads(host == 1);
                        long[] start = new long[1];
                        CodePicker timer =
                                new CodePicker() {
                                    @Override
                                    public void headsStarting() {
                                        start[0] = System.nanoTime();
                                    }
                                };
                        model.step(fb, timer);
                        if (r >= 0) {
                            ms[host][r] = (System.nanoTime() - start[0]) / 1e6;
                        }
                    }
                }
                model.useHostHeads(false);
                System.out.printf(
                        "%s batch %d heads ms per frame: script %s | host %s%n",
                        type, batch, fmt(ms[0]), fmt(ms[1]));
                states.forEach(GenerationState::close);
            }
        }
    }

    private static String fmt(double[] v) {
        return Arrays.stream(v)
                .mapToObj(x -> String.format("%.0f", x))
                .reduce((a, b) -> a + " " + b)
                .orElse("");
    }

    private static PromptRows prompt(CsmConfig c, int rows) {
        int k = c.numCodebooks();
        long[][] t = new long[rows][k + 1];
        boolean[][] m = new boolean[rows][k + 1];
        for (int i = 0; i < rows; i++) {
            t[i][k] = 1 + i;
            m[i][k] = true;
        }
        return new PromptRows(t, m);
    }
}
