package dev.csmserver.pipeline;

import dev.csmserver.audio.watermark.WatermarkKey;

/**
 * How to build a {@link CsmPipeline}: where the weights come from, the device ({@code
 * auto|cpu|cuda}), the weight dtype ({@code auto|float32|float16}), the watermark: a secret (never
 * logged) and the public key id and service id carried in the mark's payload, and the compute path
 * ({@code auto|cpu-default|cuda-shaped}, {@link dev.csmserver.nn.ComputePath}).
 */
public record PipelineOptions(
        ModelSource source,
        String device,
        String dtype,
        String watermarkSecret,
        int watermarkKeyId,
        int watermarkServiceId,
        String computePath) {

    /** With the compute path {@code auto}: the device's own. */
    public PipelineOptions(
            ModelSource source,
            String device,
            String dtype,
            String watermarkSecret,
            int watermarkKeyId,
            int watermarkServiceId) {
        this(source, device, dtype, watermarkSecret, watermarkKeyId, watermarkServiceId, "auto");
    }

    /** The built-in demo model on the CPU, marked with the public default watermark key. */
    public static PipelineOptions demo() {
        return new PipelineOptions(
                ModelSource.demo(),
                "cpu",
                "float32",
                WatermarkKey.DEFAULT_SECRET,
                WatermarkKey.DEFAULT_PAYLOAD.keyId(),
                WatermarkKey.DEFAULT_PAYLOAD.serviceId());
    }

    @Override
    public String toString() {
        return "PipelineOptions[source="
                + source.label()
                + ", device="
                + device
                + ", dtype="
                + dtype
                + ", computePath="
                + computePath
                + ", watermarkKeyId="
                + watermarkKeyId
                + "]";
    }
}
