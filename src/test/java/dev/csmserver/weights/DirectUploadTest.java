package dev.csmserver.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Uploaded weights are libtorch's own copy: they survive the staging buffer being freed and reused. */
class DirectUploadTest {
    @Test
    void arraysOwnTheirDataAfterTheStagingBufferIsFreed() {
        float[] data = new float[1 << 20];
        for (int i = 0; i < data.length; i++) {
            data[i] = i % 977;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray f32 = HostTensor.of(data, 1024, 1024).toNd(m, DataType.FLOAT32);
            NDArray f16 = HostTensor.of(data, 1024, 1024).toNd(m, DataType.FLOAT16);
            float[] junk = new float[data.length];
            Arrays.fill(junk, -7f);
            for (int i = 0; i < 4; i++) {
                HostTensor.of(junk, 1024, 1024).toNd(m, DataType.FLOAT32).close(); // reuses freed native memory
            }
            assertEquals(DataType.FLOAT32, f32.getDataType());
            assertEquals(DataType.FLOAT16, f16.getDataType());
            assertArrayEquals(data, f32.toFloatArray());
            assertArrayEquals(data, f16.toType(DataType.FLOAT32, false).toFloatArray());
        }
    }
}
