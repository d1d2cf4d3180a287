package dev.csmserver.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.csmserver.nn.ComputePath;
import dev.csmserver.pipeline.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The CUDA-shaped path's slab of backbone caches seen from the model: a request holds a slot from
 * {@link CsmModel#newState} until it closes (also when its prefill fails), a slab that grows while
 * requests run leaves their codes unchanged, and a step hands its codes over on the device too.
 */
class SlabStepTest {
    private static final CsmConfig CONFIG = CsmConfig.tiny(8, 35, 100);

    private static CsmModel model(NDManager manager, ComputePath path) {
        ComputePath.mark(manager, path);
        return CsmModel.load(
                CONFIG, RandomCsmWeights.weights(CONFIG, 5), manager, DataType.FLOAT32);
    }

    private static GenerationState prefilled(CsmModel model, long seed) {
        GenerationState s = model.newState(40, SamplingParams.seeded(seed).withTopK(6).sampler());
        int[] frame = new int[CONFIG.numCodebooks()];
        frame[0] = (int) seed;
        model.prefill(s, PromptRows.ofFrame(frame));
        return s;
    }

    @Test
    void aRequestsCodesSurviveTheSlabGrowingUnderIt() {
        List<int[]> alone = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            CsmModel model = model(m, ComputePath.CUDA_SHAPED);
            try (GenerationState a = prefilled(model, 3)) {
                for (int f = 0; f < 8; f++) {
                    alone.add(model.step(FrameBatch.of(List.of(a))).get(0));
                }
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            CsmModel model = model(m, ComputePath.CUDA_SHAPED);
            List<GenerationState> states = new ArrayList<>();
            try {
                GenerationState a = prefilled(model, 3);
                states.add(a);
                List<int[]> got = new ArrayList<>();
                for (int f = 0; f < 3; f++) {
                    got.add(model.step(FrameBatch.of(List.of(a))).get(0));
                }
                for (int r = 0; r < 4; r++) { // 1 slot -> 2 -> 4 -> 8: a moves 3 times
                    states.add(prefilled(model, 10 + r));
                }
                assertEquals(5, model.slotsInUse());
                for (int f = 3; f < 8; f++) {
                    got.add(model.step(FrameBatch.of(states)).get(0));
                }
                for (int f = 0; f < 8; f++) {
                    assertArrayEquals(alone.get(f), got.get(f), "frame " + f);
                }
            } finally {
                states.forEach(GenerationState::close);
            }
            assertEquals(0, model.slotsInUse());
        }
    }

    @Test
    void aFailedPrefillStillHandsTheSlotBackOnClose() {
        try (NDManager m = NDManager.newBaseManager()) {
            CsmModel model = model(m, ComputePath.CUDA_SHAPED);
            model.reserveRequests(2);
            GenerationState s = model.newState(2, SamplingParams.seeded(1).sampler());
            PromptRows tooLong =
                    new PromptRows(
                            new long[3][CONFIG.numCodebooks() + 1],
                            new boolean[3][CONFIG.numCodebooks() + 1]);
            assertThrows(IllegalStateException.class, () -> model.prefillPrompt(s, tooLong));
            assertEquals(1, model.slotsInUse());
            s.close();
            s.close();
            assertEquals(0, model.slotsInUse(), "closed twice, the slot came back once");
            assertThrows(
                    IllegalArgumentException.class,
                    () -> model.newState(CONFIG.maxContext() + 1, Sampler.greedy()));
            assertEquals(0, model.slotsInUse(), "a refused request holds no slot");
        }
    }

    @ParameterizedTest
    @EnumSource(ComputePath.class)
    void aStepsCodesStayOnTheDeviceForTheCodec(ComputePath path) {
        try (NDManager m = NDManager.newBaseManager();
                NDManager codec = NDManager.newBaseManager()) {
            CsmModel model = model(m, path);
            try (GenerationState a = prefilled(model, 1);
                    GenerationState b = prefilled(model, 2)) {
                StepCodes step = model.step(FrameBatch.of(List.of(a, b)), codec);
                long[] device = step.codes().toLongArray(); // [B, K]
                int k = CONFIG.numCodebooks();
                assertEquals(2 * k, device.length);
                for (int r = 0; r < 2; r++) {
                    for (int c = 0; c < k; c++) {
                        assertEquals(step.frames().get(r)[c], device[r * k + c]);
                    }
                }
                assertEquals(codec, step.codes().getManager());
            }
        }
    }
}
