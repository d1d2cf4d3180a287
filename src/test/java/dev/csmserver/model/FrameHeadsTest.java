package dev.csmserver.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.csmserver.nn.ComputePath;
import dev.csmserver.nn.LlamaConfig;
import dev.csmserver.nn.RopeScaling;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scripted heads ({@link FrameHeads}, one libtorch call per frame) against the host-driven DJL
 * path they replace, on both compute paths, float32 and float16 weights: the same logits and
 * decoder states bit for bit, the same codes, forced codes taken, at batch 1, 3 and 6 (6 rows run
 * the decoder's first step as 12 rows: 1x1 convolutions on the CPU default path), and with a
 * decoder MLP large enough to be split per core.
 */
class FrameHeadsTest {
    private static final CsmConfig TINY = CsmConfig.tiny(5, 67, 100);

    /** A decoder whose fused w1|w3 (16384 x 128) is split in row blocks on the CPU. */
    private static final CsmConfig SPLIT =
            new CsmConfig(
                    TINY.backbone(),
                    new LlamaConfig(
                            1, 128, 4, 2, 32, 8192, 1e-5, RopeScaling.llama3(500_000), 2048),
                    100,
                    67,
                    4);

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (ComputePath path : ComputePath.values()) {
            for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT16}) {
                out.add(Arguments.of(path, type, "tiny", TINY));
            }
            out.add(Arguments.of(path, DataType.FLOAT16, "split", SPLIT));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void theScriptedHeadsGiveTheHostPathsLogitsAndCodes(
            ComputePath path, DataType type, String name, CsmConfig config) {
        try (NDManager manager = NDManager.newBaseManager()) {
            ComputePath.mark(manager, path);
            CsmModel model =
                    CsmModel.load(config, RandomCsmWeights.weights(config, 3), manager, type);
            for (int batch : new int[] {1, 3, 6}) {
                Recorder scripted = run(model, batch, false);
                Recorder host = run(model, batch, true);
                String what = path + " " + type + " " + name + " batch " + batch;
                assertEquals(host.codes, scripted.codes, what + ": codes");
                assertEquals(host.logits.keySet(), scripted.logits.keySet(), what);
                assertEquals(host.hidden.keySet(), scripted.hidden.keySet(), what);
                host.logits.forEach(
                        (at, l) -> assertArrayEquals(l, scripted.logits.get(at), what + " " + at));
                host.hidden.forEach(
                        (at, h) -> assertArrayEquals(h, scripted.hidden.get(at), what + " " + at));
            }
        }
    }

    /** Three frames of {@code batch} greedy requests, frame 1 forced, all recorded. */
    private static Recorder run(CsmModel model, int batch, boolean host) {
        model.useHostHeads(host);
        Recorder rec = new Recorder(model.config());
        List<GenerationState> states = new ArrayList<>();
        try {
            for (int r = 0; r < batch; r++) {
                states.add(model.newState(20, Sampler.greedy()));
            }
            for (int r = 0; r < batch; r++) {
                model.prefillPrompt(states.get(r), prompt(model.config(), 4 + r, r));
            }
            for (rec.frame = 0; rec.frame < 3; rec.frame++) {
                for (int[] codes : model.step(FrameBatch.of(states), rec)) {
                    rec.codes.add(java.util.Arrays.toString(codes));
                }
            }
            return rec;
        } finally {
            states.forEach(GenerationState::close);
            model.useHostHeads(false);
        }
    }

    private static PromptRows prompt(CsmConfig c, int rows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int k = c.numCodebooks();
        long[][] t = new long[rows][k + 1];
        boolean[][] m = new boolean[rows][k + 1];
        for (int i = 0; i < rows; i++) {
            boolean text = i % 2 == 0;
            for (int j = 0; j < k; j++) {
                t[i][j] = text ? 0 : r.nextInt(c.audioVocabSize());
                m[i][j] = !text;
            }
            t[i][k] = text ? r.nextInt(c.textVocabSize()) : 0;
            m[i][k] = text;
        }
        return new PromptRows(t, m);
    }

    /** Records everything; forces frame 1's codes. */
    private static final class Recorder implements CodePicker {
        final Map<String, float[]> logits = new HashMap<>(); // "frame row codebook" → [V]
        final Map<String, float[]> hidden = new HashMap<>();
        final List<String> codes = new ArrayList<>();
        private final int vocab;
        int frame;

        Recorder(CsmConfig c) {
            this.vocab = c.audioVocabSize();
        }

        @Override
        public boolean forces() {
            return frame == 1;
        }

        @Override
        public int forced(int row, int codebook) {
            return frame == 1 ? (7 * row + 3 * codebook + 1) % vocab : -1;
        }

        @Override
        public boolean records() {
            return true;
        }

        @Override
        public void logits(int row, int codebook, float[] l) {
            logits.put(frame + " " + row + " " + codebook, l);
        }

        @Override
        public void hidden(int row, int codebook, float[] h) {
            hidden.put(frame + " " + row + " " + codebook, h);
        }
    }
}
