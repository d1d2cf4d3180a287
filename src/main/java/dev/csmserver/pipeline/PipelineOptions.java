package dev.csmserver.pipeline;

/**
 * How to build a {@link CsmPipeline}: where the weights come from, the device ({@code
 * auto|cpu|cuda}), the weight dtype ({@code float32|float16|auto}) and the watermark key. The
 * key is secret; {@code watermarkKeyId} is the public name logged and reported.
 */
public record PipelineOptions(
        ModelSource source, String device, String dtype, String watermarkKey, String watermarkKeyId) {

    /** The built-in demo model on the CPU with the given watermark key. */
    public static PipelineOptions demo(String watermarkKey) {
        return new PipelineOptions(ModelSource.demo(), "cpu", "float32", watermarkKey, "demo");
    }
}
