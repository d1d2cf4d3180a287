package dev.csmserver.pipeline;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.csmserver.model.CsmConfig;
import dev.csmserver.model.CsmModel;
import dev.csmserver.tokenizer.TextTokenizer;
import dev.csmserver.weights.CsmCheckpoint;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Text to CSM codes from the command line, no container: {@code GenerateCodesMain CHECKPOINT
 * TOKENIZER_JSON TEXT [speaker] [max_audio_ms] [top_k] [temperature] [seed] [f32|f16]}. Prints one
 * line of K codes per frame (raw, before clamping for the codec).
 */
public final class GenerateCodesMain {
    private GenerateCodesMain() {}

    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println(
                    "usage: GenerateCodesMain CHECKPOINT TOKENIZER_JSON TEXT [speaker] [max_audio_ms]"
                            + " [top_k] [temperature] [seed] [f32|f16]");
            System.exit(2);
        }
        DjlRuntime.init();
        int speaker = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        int maxMs = args.length > 4 ? Integer.parseInt(args[4]) : 10_000;
        int topK = args.length > 5 ? Integer.parseInt(args[5]) : SamplingParams.DEFAULT_TOP_K;
        float temperature =
                args.length > 6 ? Float.parseFloat(args[6]) : SamplingParams.DEFAULT_TEMPERATURE;
        long seed = args.length > 7 ? Long.parseLong(args[7]) : 0L;
        DataType type =
                args.length > 8 && args[8].equals("f16") ? DataType.FLOAT16 : DataType.FLOAT32;
        CsmCheckpoint ckpt = CsmCheckpoint.load(Path.of(args[0]));
        CsmConfig config = CsmConfig.fromJson(ckpt.config());
        try (NDManager manager = NDManager.newBaseManager();
                TextTokenizer tokenizer =
                        TextTokenizer.open(Path.of(args[1]), config.maxContext())) {
            CsmGenerator generator =
                    new CsmGenerator(
                            CsmModel.load(config, ckpt.weights(), manager, type), tokenizer);
            long t0 = System.nanoTime();
            List<int[]> frames =
                    generator.generate(
                            new GenerationRequest(
                                    args[2],
                                    speaker,
                                    List.of(),
                                    maxMs,
                                    SamplingParams.seeded(seed)
                                            .withTemperature(temperature)
                                            .withTopK(topK)));
            for (int[] f : frames) {
                System.out.println(Arrays.toString(f));
            }
            System.err.printf(
                    "%s layout, %d frames in %.1f ms%n",
                    ckpt.layout(), frames.size(), (System.nanoTime() - t0) / 1e6);
        }
    }
}
