package dev.csmserver.nn;

import ai.djl.ndarray.NDManager;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Which code a model's ops take: the CPU's own (FBGEMM-packed float16 weights, weights split per
 * core, 1x1 convolutions for many rows) or exactly the code a CUDA device takes (plain weights, one
 * product per weight), which CI can then run on a CPU. A weights manager is marked once at load
 * ({@link #mark}); everything loaded into it or a sub-manager asks {@link #of}. An unmarked manager
 * takes its device's path.
 */
public enum ComputePath {
    /** The CPU's fast path; what a CPU manager takes unless marked otherwise. */
    CPU_DEFAULT,
    /** The code a CUDA device runs, on whatever device the manager is on. */
    CUDA_SHAPED;

    private static final Map<NDManager, ComputePath> MARKED =
            Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * The setting {@code auto|cpu-default|cuda-shaped}: null for auto (each device its own path).
     */
    public static ComputePath parse(String setting) {
        String s = setting == null ? "auto" : setting.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "auto":
                return null;
            case "cpu-default":
                return CPU_DEFAULT;
            case "cuda-shaped":
                return CUDA_SHAPED;
            default:
                throw new IllegalArgumentException(
                        "csm.engine.path must be auto, cpu-default or cuda-shaped, not '"
                                + setting
                                + "'");
        }
    }

    /**
     * Marks {@code weights} (and its sub-managers) to take {@code path}; null takes the device's. A
     * GPU manager always takes {@link #CUDA_SHAPED}.
     */
    public static void mark(NDManager weights, ComputePath path) {
        if (path != null) {
            MARKED.put(weights, path);
        }
    }

    /** The path of {@code manager}: its own or an ancestor's mark, else its device's. */
    public static ComputePath of(NDManager manager) {
        if (manager.getDevice().isGpu()) {
            return CUDA_SHAPED;
        }
        for (NDManager m = manager; m != null; m = m.getParentManager()) {
            ComputePath p = MARKED.get(m);
            if (p != null) {
                return p;
            }
        }
        return CPU_DEFAULT;
    }
}
