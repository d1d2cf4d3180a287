package dev.csmserver.pipeline;

import java.util.Locale;

/**
 * Where the model runs ({@code csm.model.device}): {@code auto} (CUDA if DJL or libtorch finds a
 * GPU, else the CPU with a WARN line), {@code cpu} or {@code cuda}. {@link DeviceChoice} resolves
 * it to a DJL device.
 */
public enum ComputeDevice {
    AUTO,
    CPU,
    CUDA;

    /** The setting as written in configuration ({@code auto}, {@code cpu}, {@code cuda}). */
    public String setting() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * {@code auto}, {@code cpu} or {@code cuda} (any case; {@code gpu} means cuda); null or blank
     * is auto. Anything else is an {@link IllegalArgumentException} naming the allowed values.
     */
    public static ComputeDevice parse(String setting) {
        String s = setting == null ? "" : setting.strip().toLowerCase(Locale.ROOT);
        switch (s) {
            case "":
            case "auto":
                return AUTO;
            case "cpu":
                return CPU;
            case "cuda":
            case "gpu":
                return CUDA;
            default:
                throw new IllegalArgumentException(
                        "csm.model.device must be auto, cpu or cuda, not '" + setting + "'");
        }
    }
}
