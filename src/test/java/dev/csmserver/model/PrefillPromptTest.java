package dev.csmserver.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.csmserver.pipeline.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link CsmModel#prefillPrompt} leaves a request's first frame to the next batched step: its codes
 * equal those of {@link CsmModel#prefill} then steps, alone and when the step also advances a
 * request that is already running (in either row order), and the kept prompt output is freed.
 */
class PrefillPromptTest {
    private static final CsmConfig CONFIG = CsmConfig.tiny(8, 35, 100);
    private static NDManager manager;
    private static CsmModel model;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        model =
                CsmModel.load(
                        CONFIG, RandomCsmWeights.weights(CONFIG, 5), manager, DataType.FLOAT32);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void firstFrameFromTheNextStepEqualsPrefillsFrame() {
        PromptRows prompt = textPrompt(9, 1);
        List<int[]> expected = solo(prompt, 7, 5);
        try (GenerationState s =
                model.newState(20, SamplingParams.seeded(7).withTopK(6).sampler())) {
            model.prefillPrompt(s, prompt);
            assertTrue(s.awaitsFirstFrame());
            assertEquals(0, s.frames());
            List<int[]> got = new ArrayList<>();
            for (int f = 0; f < 5; f++) {
                got.add(model.step(FrameBatch.of(List.of(s))).get(0));
                assertFalse(s.awaitsFirstFrame());
            }
            assertEquals(9 + 4, s.position(), "the first frame takes no backbone position");
            assertFrames(expected, got, "solo");
        }
    }

    @Test
    void aJoiningRequestsFirstFrameIsBatchedWithARunningOne() {
        PromptRows runningPrompt = textPrompt(6, 2);
        PromptRows joiningPrompt = textPrompt(11, 3);
        List<int[]> runningAlone = solo(runningPrompt, 21, 6);
        List<int[]> joiningAlone = solo(joiningPrompt, 22, 4);
        for (boolean joinerFirst : new boolean[] {false, true}) {
            int before = ((BaseNDManager) manager).getManagedArrays().size();
            try (GenerationState running =
                            model.newState(20, SamplingParams.seeded(21).withTopK(6).sampler());
                    GenerationState joining =
                            model.newState(20, SamplingParams.seeded(22).withTopK(6).sampler())) {
                List<int[]> runningGot = new ArrayList<>();
                List<int[]> joiningGot = new ArrayList<>();
                runningGot.add(model.prefill(running, runningPrompt));
                runningGot.add(model.step(FrameBatch.of(List.of(running))).get(0));
                model.prefillPrompt(joining, joiningPrompt);
                for (int f = 0; f < 4; f++) {
                    List<int[]> out =
                            model.step(
                                    FrameBatch.of(
                                            joinerFirst
                                                    ? List.of(joining, running)
                                                    : List.of(running, joining)));
                    runningGot.add(out.get(joinerFirst ? 1 : 0));
                    joiningGot.add(out.get(joinerFirst ? 0 : 1));
                }
                assertFrames(runningAlone, runningGot, "running, joiner first " + joinerFirst);
                assertFrames(joiningAlone, joiningGot, "joining, joiner first " + joinerFirst);
            }
            assertEquals(
                    before,
                    ((BaseNDManager) manager).getManagedArrays().size(),
                    "arrays after both closed");
        }
    }

    /**
     * Three prompts of different lengths (one below the convolution threshold of {@code nn.Linear},
     * two above) prefilled as one packed pass, then stepped together: each request's frames equal
     * its solo run, and its kept prompt output equals the solo prompt's last row.
     */
    @Test
    void packedPromptsGiveEachRequestItsSoloFrames() {
        PromptRows[] prompts = {textPrompt(5, 31), textPrompt(12, 32), textPrompt(17, 33)};
        List<List<int[]>> alone = new ArrayList<>();
        float[][] aloneHidden = new float[3][];
        for (int i = 0; i < 3; i++) {
            alone.add(solo(prompts[i], 40 + i, 5));
            try (GenerationState s =
                    model.newState(30, SamplingParams.seeded(40 + i).withTopK(6).sampler())) {
                model.prefillPrompt(s, prompts[i]);
                aloneHidden[i] = s.promptHidden().toFloatArray();
            }
        }
        int before = ((BaseNDManager) manager).getManagedArrays().size();
        List<GenerationState> states = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                states.add(model.newState(30, SamplingParams.seeded(40 + i).withTopK(6).sampler()));
            }
            model.prefillPrompts(states, List.of(prompts));
            List<List<int[]>> got =
                    List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (int i = 0; i < 3; i++) {
                assertEquals(prompts[i].rows(), states.get(i).position());
                assertArrayEquals(
                        aloneHidden[i],
                        states.get(i).promptHidden().toFloatArray(),
                        1e-5f,
                        "prompt " + i);
            }
            for (int f = 0; f < 5; f++) {
                List<int[]> out = model.step(FrameBatch.of(states));
                for (int i = 0; i < 3; i++) {
                    got.get(i).add(out.get(i));
                }
            }
            for (int i = 0; i < 3; i++) {
                assertFrames(alone.get(i), got.get(i), "packed request " + i);
            }
        } finally {
            states.forEach(GenerationState::close);
        }
        assertEquals(
                before,
                ((BaseNDManager) manager).getManagedArrays().size(),
                "arrays after all closed");
    }

    /** Frames of a request run alone: prefill, then steps. */
    private static List<int[]> solo(PromptRows prompt, long seed, int frames) {
        try (GenerationState s =
                model.newState(30, SamplingParams.seeded(seed).withTopK(6).sampler())) {
            List<int[]> out = new ArrayList<>();
            out.add(model.prefill(s, prompt));
            while (out.size() < frames) {
                out.add(model.step(FrameBatch.of(List.of(s))).get(0));
            }
            return out;
        }
    }

    private static void assertFrames(List<int[]> expected, List<int[]> actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int f = 0; f < expected.size(); f++) {
            assertArrayEquals(expected.get(f), actual.get(f), what + ": frame " + f);
        }
    }

    /** {@code rows} text rows of random tokens. */
    private static PromptRows textPrompt(int rows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int k = CONFIG.numCodebooks();
        long[][] tokens = new long[rows][k + 1];
        boolean[][] mask = new boolean[rows][k + 1];
        for (int i = 0; i < rows; i++) {
            tokens[i][k] = r.nextInt(CONFIG.textVocabSize());
            mask[i][k] = true;
        }
        return new PromptRows(tokens, mask);
    }
}
