package dev.csmserver.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.csmserver.weights.HostTensor;
import org.junit.jupiter.api.Test;

/** How a marked weights manager hands it to what loads into it. */
class ComputePathTest {
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
