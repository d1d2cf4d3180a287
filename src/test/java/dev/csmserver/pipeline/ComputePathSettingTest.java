package dev.csmserver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.csmserver.nn.ComputePath;
import org.junit.jupiter.api.Test;

/** The {@code csm.model.compute-path} setting and the path each value marks the weights with. */
class ComputePathSettingTest {
    @Test
    void theSettingParsesItsThreeValuesAndRefusesOthers() {
        assertEquals(ComputePathSetting.AUTO, ComputePathSetting.parse("auto"));
        assertEquals(ComputePathSetting.AUTO, ComputePathSetting.parse(null));
        assertEquals(ComputePathSetting.CPU_DEFAULT, ComputePathSetting.parse(" CPU-default"));
        assertEquals(ComputePathSetting.CUDA_SHAPED, ComputePathSetting.parse("cuda-shaped"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ComputePathSetting.parse("gpu"));
        assertTrue(e.getMessage().contains("csm.model.compute-path"));
    }

    @Test
    void autoLeavesTheDeviceItsOwnPathAndTheOthersNameOne() {
        assertNull(ComputePathSetting.AUTO.path());
        assertEquals(ComputePath.CPU_DEFAULT, ComputePathSetting.CPU_DEFAULT.path());
        assertEquals(ComputePath.CUDA_SHAPED, ComputePathSetting.CUDA_SHAPED.path());
        assertEquals("cuda-shaped", ComputePathSetting.CUDA_SHAPED.setting());
    }
}
