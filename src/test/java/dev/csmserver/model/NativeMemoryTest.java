package dev.csmserver.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.csmserver.nn.ComputePath;
import dev.csmserver.pipeline.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Native memory: the weights manager holds the same arrays before and after requests run, and a
 * batch of requests does not grow over 200 frames (per-step temporaries die with their scope), on
 * both compute paths; on the CUDA-shaped one every slab slot comes back when the requests close.
 */
class NativeMemoryTest {
    private static int arrays(NDManager m) {
        return ((BaseNDManager) m).getManagedArrays().size();
    }

    @ParameterizedTest
    @EnumSource(ComputePath.class)
    void countsReturnToBaselineAndStayFlatOver200Frames(ComputePath path) {
        CsmConfig config = CsmConfig.tiny(8, 35, 100);
        try (NDManager manager = NDManager.newBaseManager()) {
            ComputePath.mark(manager, path);
            CsmModel model =
                    CsmModel.load(
                            config, RandomCsmWeights.weights(config, 3), manager, DataType.FLOAT16);
            model.reserveRequests(2); // the slab, sized once (CUDA-shaped)
            int baseline = arrays(manager);
            List<GenerationState> states = new ArrayList<>();
            for (int b = 0; b < 2; b++) {
                GenerationState s =
                        model.newState(10 + 201, SamplingParams.seeded(b).withTopK(8).sampler());
                model.prefill(s, PromptRows.ofFrame(new int[config.numCodebooks()]));
                states.add(s);
            }
            int running = arrays(manager);
            assertEquals(path == ComputePath.CUDA_SHAPED ? 2 : 0, model.slotsInUse());
            FrameBatch batch = FrameBatch.of(states);
            for (int f = 0; f < 200; f++) {
                model.step(batch);
                assertEquals(running, arrays(manager), "arrays after frame " + f);
            }
            states.forEach(GenerationState::close);
            assertEquals(baseline, arrays(manager), "arrays after the requests closed");
            assertEquals(0, model.slotsInUse(), "slab slots after the requests closed");
        }
    }
}
