package dev.csmserver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

/**
 * {@code csm.model.dtype}: auto picks float16 on CUDA and on a CPU with FBGEMM; explicit names win.
 */
class PipelineLoaderDtypeTest {
    @Test
    void autoIsFloat16OnCudaAndOnThisCpu() {
        assertEquals(DataType.FLOAT16, PipelineLoader.dtype(WeightDtype.AUTO, Device.gpu()));
        // the pinned libtorch ships FBGEMM for x86-64, so float16 is the fast CPU choice here
        assertEquals(DataType.FLOAT16, PipelineLoader.dtype(WeightDtype.AUTO, Device.cpu()));
        assertEquals(DataType.FLOAT16, PipelineLoader.dtype(WeightDtype.parse(null), Device.cpu()));
    }

    @Test
    void explicitNamesWinWhateverTheDevice() {
        assertEquals(
                DataType.FLOAT32, PipelineLoader.dtype(WeightDtype.parse("float32"), Device.gpu()));
        assertEquals(
                DataType.FLOAT32, PipelineLoader.dtype(WeightDtype.parse(" FP32 "), Device.cpu()));
        assertEquals(
                DataType.FLOAT16, PipelineLoader.dtype(WeightDtype.parse("float16"), Device.cpu()));
        assertEquals(
                DataType.FLOAT16, PipelineLoader.dtype(WeightDtype.parse("fp16"), Device.cpu()));
    }

    @Test
    void otherNamesAreRefusedByName() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> WeightDtype.parse("bfloat16"));
        assertEquals(
                "csm.model.dtype must be auto, float32 or float16, not 'bfloat16'", e.getMessage());
    }
}
