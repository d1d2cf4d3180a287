package dev.csmserver.pipeline;

import dev.csmserver.audio.watermark.WatermarkKey;

/**
 * How to build a {@link CsmPipeline}: where the weights come from, the device, the weight dtype,
 * the watermark (a secret, never logged, and the public key id and service id carried in the mark's
 * payload), the CPU threads of a frame step ({@code 0}: the processors the JVM sees) and the
 * compute path ({@link ComputePathSetting}). Build with {@link #of} or {@link #demo} and the
 * withers, so a new option touches this record and whoever sets it only.
 */
public record PipelineOptions(
        ModelSource source,
        ComputeDevice device,
        WeightDtype dtype,
        String watermarkSecret,
        int watermarkKeyId,
        int watermarkServiceId,
        int cpuThreads,
        ComputePathSetting computePath) {

    public PipelineOptions {
        if (computePath == null) {
            throw new IllegalArgumentException("computePath is required (AUTO for the device's)");
        }
        if (cpuThreads < 0) {
            throw new IllegalArgumentException(
                    "csm.cpu.threads must be at least 1 (or absent), not " + cpuThreads);
        }
    }

    /**
     * {@code source} with the defaults: device and dtype auto, the public default watermark key,
     * every processor.
     */
    public static PipelineOptions of(ModelSource source) {
        return new PipelineOptions(
                source,
                ComputeDevice.AUTO,
                WeightDtype.AUTO,
                WatermarkKey.DEFAULT_SECRET,
                WatermarkKey.DEFAULT_PAYLOAD.keyId(),
                WatermarkKey.DEFAULT_PAYLOAD.serviceId(),
                0,
                ComputePathSetting.AUTO);
    }

    /** The built-in demo model on the CPU in float32, marked with the public default key. */
    public static PipelineOptions demo() {
        return of(ModelSource.demo()).withDevice(ComputeDevice.CPU).withDtype(WeightDtype.FLOAT32);
    }

    public PipelineOptions withSource(ModelSource source) {
        return new PipelineOptions(
                source,
                device,
                dtype,
                watermarkSecret,
                watermarkKeyId,
                watermarkServiceId,
                cpuThreads,
                computePath);
    }

    public PipelineOptions withDevice(ComputeDevice device) {
        return new PipelineOptions(
                source,
                device,
                dtype,
                watermarkSecret,
                watermarkKeyId,
                watermarkServiceId,
                cpuThreads,
                computePath);
    }

    public PipelineOptions withDtype(WeightDtype dtype) {
        return new PipelineOptions(
                source,
                device,
                dtype,
                watermarkSecret,
                watermarkKeyId,
                watermarkServiceId,
                cpuThreads,
                computePath);
    }

    /** The watermark's secret and the key id and service id its payload carries. */
    public PipelineOptions withWatermark(String secret, int keyId, int serviceId) {
        return new PipelineOptions(
                source, device, dtype, secret, keyId, serviceId, cpuThreads, computePath);
    }

    /** Threads of a frame step's products; {@code 0}: the processors the JVM sees. */
    public PipelineOptions withCpuThreads(int cpuThreads) {
        return new PipelineOptions(
                source,
                device,
                dtype,
                watermarkSecret,
                watermarkKeyId,
                watermarkServiceId,
                cpuThreads,
                computePath);
    }

    /** The code the model's ops take; {@code auto}: the device's own. */
    public PipelineOptions withComputePath(ComputePathSetting computePath) {
        return new PipelineOptions(
                source,
                device,
                dtype,
                watermarkSecret,
                watermarkKeyId,
                watermarkServiceId,
                cpuThreads,
                computePath);
    }

    @Override
    public String toString() {
        return "PipelineOptions[source="
                + source.label()
                + ", device="
                + device.setting()
                + ", dtype="
                + dtype.setting()
                + ", computePath="
                + computePath.setting()
                + ", watermarkKeyId="
                + watermarkKeyId
                + ", cpuThreads="
                + (cpuThreads == 0 ? "all" : cpuThreads)
                + "]";
    }
}
