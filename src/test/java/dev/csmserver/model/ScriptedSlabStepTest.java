package dev.csmserver.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.csmserver.nn.ComputePath;
import dev.csmserver.nn.KvCache;
import dev.csmserver.nn.KvSlab;
import dev.csmserver.nn.LlamaConfig;
import dev.csmserver.nn.RopeScaling;
import dev.csmserver.nn.SlabBackbone;
import dev.csmserver.pipeline.DjlRuntime;
import dev.csmserver.weights.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CUDA-shaped backbone step as ONE scripted call ({@link SlabBackbone}) against the same step
 * driven layer by layer from the host ({@link Backbone#stepLayerByLayer}): bit-identical hidden
 * states over CSM-1B's 16 layers at tiny widths, float32 and float16 weights, requests joining at
 * different times (so rows sit at different positions), padding rows, 1 to 10 rows (the float32
 * weight-first products of 2..8 rows included: w13 has 64K elements); and nothing native left
 * behind.
 */
class ScriptedSlabStepTest {
    /** 16 layers; w13 [2·256, 128] has 64K elements, qkv and w2 fewer: both product rules run. */
    private static final CsmConfig CONFIG =
            new CsmConfig(
                    new LlamaConfig(16, 128, 4, 2, 32, 256, 1e-5, RopeScaling.llama3(500_000), 48),
                    CsmConfig.tiny(4, 35, 100).decoder(),
                    100,
                    35,
                    4);

    private static final int CAPACITY = 48;
    private static final int[] JOINS = {0, 0, 2, 5}; // the step each request starts at
    private static final int STEPS = 9;

    @BeforeAll
    static void init() {
        DjlRuntime.init();
    }

    private static Backbone load(NDManager manager, DataType type) {
        ComputePath.mark(manager, ComputePath.CUDA_SHAPED);
        Weights w = RandomCsmWeights.weights(CONFIG, 11).sub("backbone");
        return Backbone.load(w, CONFIG.backbone(), manager, type, () -> {});
    }

    @ParameterizedTest
    @ValueSource(strings = {"float32", "float16"})
    void theScriptedStepGivesTheLayerByLayerStepsHiddenStatesBitForBit(String type) {
        try (NDManager m = NDManager.newBaseManager()) {
            Backbone backbone = load(m, DataType.valueOf(type.toUpperCase()));
            List<float[]> scripted = run(m, backbone, true);
            List<float[]> host = run(m, backbone, false);
            for (int s = 0; s < STEPS; s++) {
                assertArrayEquals(host.get(s), scripted.get(s), type + " step " + s);
            }
            assertEquals(10 * CONFIG.backbone().embedDim(), host.get(STEPS - 1).length);
        }
    }

    @Test
    void noArrayOrScriptArgumentIsLeftBehindAfterStepsOrAfterTheModelCloses() {
        SlabBackbone scripted;
        KvSlab slab;
        try (NDManager m = NDManager.newBaseManager()) {
            Backbone backbone = load(m, DataType.FLOAT16);
            scripted = backbone.scripted();
            assertNotNull(scripted);
            slab = backbone.newSlab(m, CAPACITY);
            slab.reserve(JOINS.length);
            int baseline = ((BaseNDManager) m).getManagedArrays().size();
            run(m, backbone, slab, true);
            assertEquals(baseline, ((BaseNDManager) m).getManagedArrays().size());
            assertFalse(scripted.released(), "the weights' list lives as long as the weights");
            assertFalse(slab.released());
        }
        assertTrue(scripted.released(), "the weights' list is freed with the weights");
        assertTrue(slab.released(), "the slab's script arguments are freed with the model");
    }

    @Test
    void theCpuDefaultPathBuildsNoScriptedStep() {
        try (NDManager m = NDManager.newBaseManager()) {
            ComputePath.mark(m, ComputePath.CPU_DEFAULT);
            Weights w = RandomCsmWeights.weights(CONFIG, 11).sub("backbone");
            Backbone b = Backbone.load(w, CONFIG.backbone(), m, DataType.FLOAT32, () -> {});
            assertNull(b.scripted());
        }
    }

    private static List<float[]> run(NDManager m, Backbone backbone, boolean script) {
        return run(m, backbone, backbone.newSlab(m, CAPACITY), script);
    }

    /**
     * {@link #STEPS} steps of requests joining at {@link #JOINS} (each then at its own position),
     * padded by 0, 1 or 2 rows (6 at the last step: 10 rows), on a fresh slab: each step's hidden
     * states {@code [P, 1, D]} as floats. The inputs depend only on the step.
     */
    private static List<float[]> run(NDManager m, Backbone backbone, KvSlab slab, boolean script) {
        int d = CONFIG.backbone().embedDim();
        List<KvSlab.Slot> slots = new ArrayList<>();
        List<float[]> out = new ArrayList<>();
        try {
            for (int s = 0; s < STEPS; s++) {
                while (slots.size() < JOINS.length && JOINS[slots.size()] <= s) {
                    slots.add(slab.acquire(CAPACITY));
                }
                int n = slots.size();
                int p = n + (s == STEPS - 1 ? 6 : s % 3);
                long[] pos = new long[p]; // padding rows: position 0, slot 0
                long[] at = new long[p];
                List<KvCache[]> caches = new ArrayList<>();
                int[] starts = new int[n];
                for (int r = 0; r < n; r++) {
                    caches.add(slots.get(r).caches());
                    starts[r] = s - JOINS[r];
                    pos[r] = starts[r];
                    at[r] = slots.get(r).index();
                }
                float[] x = new float[p * d];
                SplittableRandom random = new SplittableRandom(s);
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) random.nextGaussian();
                }
                try (NDScope scope = new NDScope()) {
                    NDArray in = m.create(x, new Shape(p, 1, d)); // [P, 1, D]
                    NDArray positions = m.create(pos); // [P] int64
                    NDArray rows = m.create(at);
                    synchronized (slab.lock()) {
                        NDArray h =
                                script
                                        ? backbone.step(in, positions, rows, slab, caches, starts)
                                        : backbone.stepLayerByLayer(
                                                in, positions, rows, slab, caches, starts);
                        out.add(h.toFloatArray());
                    }
                }
            }
        } finally {
            slots.forEach(KvSlab.Slot::release);
        }
        return out;
    }
}
