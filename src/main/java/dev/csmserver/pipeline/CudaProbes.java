package dev.csmserver.pipeline;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.cuda.CudaUtils;

/**
 * The real questions {@link DeviceChoice} asks: DJL's GPU count, and libtorch itself placing a
 * tensor on cuda:0. Neither throws; a failure is an answer that says what went wrong, in the words
 * of the library that failed.
 */
final class CudaProbes {
    private static final int MAX_REASON_CHARS = 240;

    private CudaProbes() {}

    /**
     * DJL's count: libtorch's CUDA flag, then {@code cudaGetDeviceCount} through JNA, which must
     * find {@code libcudart} by name (runtime images lack the {@code libcudart.so} development
     * link).
     */
    static CudaAttempt djlGpuCount() {
        String what = "DJL's GPU count (JNA " + jnaVersion() + " loading libcudart)";
        try {
            int gpus = Engine.getInstance().getGpuCount();
            return gpus > 0
                    ? CudaAttempt.usable(what, gpus + " GPU(s)")
                    : CudaAttempt.failed(what, "0 GPUs");
        } catch (RuntimeException | LinkageError e) {
            return CudaAttempt.failed(what, "failed: " + reason(e));
        }
    }

    /** libtorch with its own CUDA runtime: a tensor made on cuda:0, summed there and read back. */
    static CudaAttempt libtorchTensor() {
        String what = "libtorch: a tensor on cuda:0";
        try {
            Engine engine = Engine.getInstance();
            what =
                    "libtorch "
                            + engine.getVersion()
                            + " ("
                            + libtorchPath()
                            + "): a tensor on cuda:0";
            String flag =
                    "torch::cuda::is_available()="
                            + engine.hasCapability(StandardCapabilities.CUDA);
            try (NDManager manager = engine.newBaseManager(Device.gpu(0))) {
                NDArray ones = manager.ones(new Shape(2)); // [2] float32 on cuda:0
                float sum = ones.sum().getFloat(); // runs a kernel there and copies the result back
                return sum == 2f
                        ? CudaAttempt.usable(what, "ok, " + flag)
                        : CudaAttempt.failed(what, "summed two ones to " + sum + ", " + flag);
            } catch (RuntimeException | LinkageError e) {
                return CudaAttempt.failed(what, "failed: " + reason(e) + " (" + flag + ")");
            }
        } catch (RuntimeException | LinkageError e) {
            return CudaAttempt.failed(what, "failed: " + reason(e));
        }
    }

    private static String libtorchPath() {
        try {
            return LibUtils.getLibtorchPath();
        } catch (RuntimeException e) {
            return "path unknown";
        }
    }

    /** JNA's version as its jar states it (DJL's count depends on it; pom.xml pins DJL's). */
    private static String jnaVersion() {
        try {
            Class<?> jna =
                    Class.forName("com.sun.jna.Native", false, CudaUtils.class.getClassLoader());
            String v =
                    jna.getPackage() == null ? null : jna.getPackage().getImplementationVersion();
            return v == null ? "?" : v;
        } catch (ClassNotFoundException | LinkageError e) {
            return "missing";
        }
    }

    /** The first sentence of a native error (libtorch appends a list of every dispatch key). */
    static String reason(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        int newline = m.indexOf('\n');
        if (newline >= 0) {
            m = m.substring(0, newline);
        }
        int stop = m.indexOf(". ");
        if (stop >= 0) {
            m = m.substring(0, stop + 1);
        }
        return m.length() > MAX_REASON_CHARS ? m.substring(0, MAX_REASON_CHARS) + "..." : m;
    }
}
