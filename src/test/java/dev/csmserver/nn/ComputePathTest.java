package dev.csmserver.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.csmserver.weights.HostTensor;
import org.junit.jupiter.api.Test;

/** The compute-path setting and how a marked weights manager hands it to what loads into it. */
class ComputePathTest {
    @Test
    void theSettingParsesItsThreeValuesAndRefusesOthers() {
        assertNull(ComputePath.parse("auto"));
        assertNull(ComputePath.parse(null));
        assertEquals(ComputePath.CPU_DEFAULT, ComputePath.parse(" CPU-default"));
        assertEquals(ComputePath.CUDA_SHAPED, ComputePath.parse("cuda-shaped"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ComputePath.parse("gpu"));
        assertTrue(e.getMessage().contains("csm.model.compute-path"));
    }

    @Test
    void aMarkedManagerAndItsSubManagersTakeTheMarkedPath() {
        try (NDManager plain = NDManager.newBaseManager();
                NDManager marked = NDManager.newBaseManager()) {
            assertEquals(ComputePath.CPU_DEFAULT, ComputePath.of(plain));
            ComputePath.mark(marked, ComputePath.CUDA_SHAPED);
            try (NDManager sub = marked.newSubManager()) {
                assertEquals(ComputePath.CUDA_SHAPED, ComputePath.of(sub));
            }
            ComputePath.mark(plain, null); // auto: unchanged
            assertEquals(ComputePath.CPU_DEFAULT, ComputePath.of(plain));
        }
    }

    @Test
    void aCudaShapedLinearIsNeitherPackedNorSplitNorConvolved() {
        float[] w = new float[4096 * 1024]; // 4M elements: split per core on the CPU default path
        try (NDManager marked = NDManager.newBaseManager()) {
            ComputePath.mark(marked, ComputePath.CUDA_SHAPED);
            Linear l = Linear.load(HostTensor.of(w, 4096, 1024), marked, DataType.FLOAT16);
            assertFalse(l.packed());
            assertEquals(1, l.rowBlocks().size());
            assertFalse(l.convolvesManyRows());
        }
    }
}
