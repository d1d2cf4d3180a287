package dev.csmserver.pipeline;

import dev.csmserver.nn.ComputePath;

/** {@link BatchingPropertyTest} on the CUDA-shaped compute path (the code a GPU runs). */
class BatchingPropertyCudaShapedTest extends BatchingPropertyTest {
    @Override
    ComputePath path() {
        return ComputePath.CUDA_SHAPED;
    }
}
