package dev.csmserver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

/**
 * {@code csm.model.dtype}: auto picks float16 on CUDA and on a CPU with FBGEMM; explicit names win.
 */
class PipelineLoaderDtypeTest {
    @Test
    void autoIsFloat16OnCudaAndOnThisCpu() {
        assertEquals(DataType.FLOAT16, PipelineLoader.dtype("auto", Device.gpu()));
        // the pinned libtorch ships FBGEMM for x86-64, so float16 is the fast CPU choice here
        assertEquals(DataType.FLOAT16, PipelineLoader.dtype("auto", Device.cpu()));
        assertEquals(DataType.FLOAT16, PipelineLoader.dtype(null, Device.cpu()));
    }

    @Test
    void explicitNamesWinWhateverTheDevice() {
        assertEquals(DataType.FLOAT32, PipelineLoader.dtype("float32", Device.gpu()));
        assertEquals(DataType.FLOAT32, PipelineLoader.dtype(" FP32 ", Device.cpu()));
        assertEquals(DataType.FLOAT16, PipelineLoader.dtype("float16", Device.cpu()));
        assertEquals(DataType.FLOAT16, PipelineLoader.dtype("fp16", Device.cpu()));
    }

    @Test
    void otherNamesAreRefusedByName() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> PipelineLoader.dtype("bfloat16", Device.cpu()));
        assertTrue(e.getMessage().contains("bfloat16"), e.getMessage());
    }
}
