package dev.csmserver.pipeline;

import dev.csmserver.nn.ComputePath;
import java.util.Locale;

/**
 * Which code the model's ops take ({@code csm.model.compute-path}): {@code auto} (the device's
 * own), {@code cpu-default} (the CPU's fast path) or {@code cuda-shaped} (exactly the code a CUDA
 * device runs, on whatever device: how CI tests the GPU path on a CPU). {@link #path()} is the
 * {@link ComputePath} the weights manager is marked with.
 */
public enum ComputePathSetting {
    AUTO(null),
    CPU_DEFAULT(ComputePath.CPU_DEFAULT),
    CUDA_SHAPED(ComputePath.CUDA_SHAPED);

    private final ComputePath path;

    ComputePathSetting(ComputePath path) {
        this.path = path;
    }

    /** The path to mark the weights with; null for auto (each device takes its own). */
    public ComputePath path() {
        return path;
    }

    /** The setting as written in configuration ({@code auto}, {@code cpu-default}, ...). */
    public String setting() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * {@code auto}, {@code cpu-default} or {@code cuda-shaped} (any case); null or blank is auto.
     * Anything else is an {@link IllegalArgumentException} naming the allowed values.
     */
    public static ComputePathSetting parse(String setting) {
        String s = setting == null ? "" : setting.strip().toLowerCase(Locale.ROOT);
        for (ComputePathSetting c : values()) {
            if (c.setting().equals(s) || (s.isEmpty() && c == AUTO)) {
                return c;
            }
        }
        throw new IllegalArgumentException(
                "csm.model.compute-path must be auto, cpu-default or cuda-shaped, not '"
                        + setting
                        + "'");
    }
}
