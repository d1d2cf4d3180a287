package dev.csmserver.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.csmserver.model.CsmConfig;
import dev.csmserver.model.CsmModel;
import dev.csmserver.model.FrameBatch;
import dev.csmserver.model.GenerationState;
import dev.csmserver.model.PromptRows;
import dev.csmserver.model.RandomCsmWeights;
import dev.csmserver.model.Sampler;
import dev.csmserver.nn.ComputePath;
import dev.csmserver.nn.LlamaConfig;
import dev.csmserver.nn.RopeScaling;
import dev.csmserver.pipeline.ComputePathSetting;
import dev.csmserver.pipeline.DjlRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JNI calls and host↔device transfer calls per frame step of the model alone (backbone step + c0 +
 * depth decoder + sampling), at batch 1 and 4, on CSM-1B's layer counts (backbone 16, decoder 4, 32
 * codebooks of 2051) with tiny widths, counted by the {@code ../shared/opcount} agent. Prints,
 * never asserts. Run: {@code java --add-exports
 * java.base/jdk.internal.org.objectweb.asm=ALL-UNNAMED -javaagent:opcount.jar=FILE -cp ...
 * dev.csmserver.bench.HeadsOpCount FILE [f32|f16] [auto|cpu-default|cuda-shaped]}.
 */
public final class HeadsOpCount {
    private static final Set<String> TRANSFERS =
            Set.of("torchFromBlob", "torchDataPtr", "torchDirectByteBuffer", "torchSet");

    private HeadsOpCount() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        DataType type =
                args.length > 1 && args[1].equals("f16") ? DataType.FLOAT16 : DataType.FLOAT32;
        DjlRuntime.init();
        RopeScaling rope = RopeScaling.llama3(500_000);
        CsmConfig config =
                new CsmConfig(
                        new LlamaConfig(16, 64, 4, 2, 16, 128, 1e-5, rope, 2048),
                        new LlamaConfig(4, 48, 4, 2, 12, 96, 1e-5, rope, 2048),
                        1000,
                        2051,
                        32);
        try (NDManager manager = NDManager.newBaseManager()) {
            if (args.length > 2) {
                ComputePath.mark(manager, ComputePathSetting.parse(args[2]).path());
            }
            CsmModel model =
                    CsmModel.load(config, RandomCsmWeights.weights(config, 7), manager, type);
            for (int batch : new int[] {1, 4}) {
                List<GenerationState> states = new ArrayList<>();
                for (int b = 0; b < batch; b++) {
                    GenerationState s = model.newState(64, new Sampler(0.9f, 50, b));
                    model.prefill(s, prompt(config, 10 + b));
                    states.add(s);
                }
                FrameBatch fb = FrameBatch.of(states);
                model.step(fb);
                model.step(fb);
                Map<String, Long> before = read(file);
                int steps = 10;
                for (int i = 0; i < steps; i++) {
                    model.step(fb);
                }
                Map<String, Long> after = read(file);
                long calls = 0;
                long transfers = 0;
                for (Map.Entry<String, Long> e : after.entrySet()) {
                    long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
                    calls += d;
                    transfers += TRANSFERS.contains(e.getKey()) ? d : 0;
                }
                System.out.printf(
                        "%s %s batch %d: %.0f JNI calls, %.0f transfer calls per step%n",
                        type,
                        args.length > 2 ? args[2] : "auto",
                        batch,
                        calls / (double) steps,
                        transfers / (double) steps);
                states.forEach(GenerationState::close);
            }
        }
    }

    private static Map<String, Long> read(Path file) throws IOException, InterruptedException {
        Thread.sleep(350); // the agent rewrites the file every 100 ms
        Map<String, Long> out = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] p = line.split(" ");
            out.put(p[0], Long.parseLong(p[1]));
        }
        return out;
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
