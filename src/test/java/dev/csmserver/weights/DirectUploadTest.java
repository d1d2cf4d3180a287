package dev.csmserver.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Uploaded weights are libtorch's own copy: they survive the staging buffer being freed and reused.
 */
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
                HostTensor.of(junk, 1024, 1024)
                        .toNd(m, DataType.FLOAT32)
                        .close(); // reuses freed native memory
            }
            assertEquals(DataType.FLOAT32, f32.getDataType());
            assertEquals(DataType.FLOAT16, f16.getDataType());
            assertArrayEquals(data, f32.toFloatArray());
            assertArrayEquals(data, f16.toType(DataType.FLOAT32, false).toFloatArray());
        }
    }

    @Test
    void streamedSlicesFillEveryBlockAcrossStagingAndBlockBoundaries() {
        float[] data = new float[7 * 5];
        for (int i = 0; i < data.length; i++) {
            data[i] = i * 0.5f - 3;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT16}) {
                for (int stage : new int[] {1, 3, 4, 64}) {
                    // slices of 2 values, a staging buffer of `stage`, blocks of 3 and 4 rows
                    NDArray[] blocks =
                            DirectUpload.stream(
                                    m,
                                    type,
                                    FloatSlices.whole(() -> data),
                                    stage,
                                    new long[] {3, 5},
                                    new long[] {4, 5});
                    assertEquals(type, blocks[0].getDataType());
                    float[] joined = new float[data.length];
                    System.arraycopy(
                            blocks[0].toType(DataType.FLOAT32, false).toFloatArray(),
                            0,
                            joined,
                            0,
                            15);
                    System.arraycopy(
                            blocks[1].toType(DataType.FLOAT32, false).toFloatArray(),
                            0,
                            joined,
                            15,
                            20);
                    assertArrayEquals(data, joined, "stage " + stage + " " + type);
                }
            }
            float[] shortData = new float[10];
            assertThrows(
                    WeightsException.class,
                    () ->
                            DirectUpload.stream(
                                    m,
                                    DataType.FLOAT32,
                                    FloatSlices.whole(() -> shortData),
                                    new long[] {3, 5}));
            assertThrows(
                    WeightsException.class,
                    () ->
                            DirectUpload.stream(
                                    m,
                                    DataType.FLOAT32,
                                    FloatSlices.whole(() -> data),
                                    new long[] {3, 5}));
        }
    }

    @Test
    void rowBlocksOfAHostTensorSplitItsRows() {
        float[] data = new float[5 * 2];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] blocks = HostTensor.of(data, 5, 2).toNdRowBlocks(m, DataType.FLOAT32, 2);
            assertArrayEquals(new long[] {2, 2}, blocks[0].getShape().getShape());
            assertArrayEquals(new long[] {3, 2}, blocks[1].getShape().getShape());
            assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9}, blocks[1].toFloatArray());
        }
    }
}
