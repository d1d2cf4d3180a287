package dev.csmserver.pipeline;

import java.util.Locale;

/**
 * The weights' dtype ({@code csm.model.dtype}): {@code auto} (float16 on CUDA and on CPUs with
 * FBGEMM, else float32), {@code float32} or {@code float16}. bfloat16 is refused: DJL aborts the
 * JVM on it (docs/stack-notes.md).
 */
public enum WeightDtype {
    AUTO,
    FLOAT32,
    FLOAT16;

    /** The setting as written in configuration ({@code auto}, {@code float32}, {@code float16}). */
    public String setting() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * {@code auto}, {@code float32} or {@code float16} (any case; {@code fp32} and {@code fp16}
     * too); null or blank is auto. Anything else is an {@link IllegalArgumentException} naming the
     * allowed values.
     */
    public static WeightDtype parse(String setting) {
        String s = setting == null ? "" : setting.strip().toLowerCase(Locale.ROOT);
        switch (s) {
            case "":
            case "auto":
                return AUTO;
            case "float32":
            case "fp32":
                return FLOAT32;
            case "float16":
            case "fp16":
                return FLOAT16;
            default:
                throw new IllegalArgumentException(
                        "csm.model.dtype must be auto, float32 or float16, not '" + setting + "'");
        }
    }
}
