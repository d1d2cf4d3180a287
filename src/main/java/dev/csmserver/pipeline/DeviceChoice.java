package dev.csmserver.pipeline;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@code csm.model.device} ({@code auto|cpu|cuda}) into a DJL device. For auto and cuda it
 * asks DJL's GPU count first and, when that finds nothing, libtorch itself: DJL counts through JNA,
 * which must find {@code libcudart} by name (CUDA runtime images ship {@code libcudart.so.12}
 * without the {@code libcudart.so} development link), while libtorch brings its own CUDA runtime.
 * The first attempt that finds a usable GPU wins; with none, cuda is an error and auto runs on the
 * CPU with a WARN line, both naming every attempt. cpu asks nothing, so a CPU run never touches
 * CUDA.
 */
public final class DeviceChoice {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceChoice.class);

    /**
     * What to check when cuda was asked for and nothing worked (the image's libtorch is CUDA 12.8).
     */
    static final String HINT =
            "Check the node: nvidia-smi must list the GPU, with driver 570 or newer for the "
                    + "image's CUDA 12.8 libtorch; and the container must get it (docker run --gpus, or the nvidia.com/gpu "
                    + "resource in Kubernetes)";

    private DeviceChoice() {}

    /**
     * @param djlCount DJL's own GPU count (cheap; the usual answer where libcudart is found)
     * @param libtorch libtorch placing a tensor on cuda:0 (asked only when the count found none)
     */
    public static Device resolve(
            ComputeDevice setting, Supplier<CudaAttempt> djlCount, Supplier<CudaAttempt> libtorch) {
        if (setting == ComputeDevice.CPU) {
            return Device.cpu();
        }
        String s = setting.setting();
        List<CudaAttempt> tried = new ArrayList<>();
        for (Supplier<CudaAttempt> probe : List.of(djlCount, libtorch)) {
            CudaAttempt attempt = probe.get();
            tried.add(attempt);
            if (attempt.usable()) {
                Device gpu = Device.gpu(0);
                LOG.info("csm.model.device={} -> {} ({})", s, gpu, summary(tried));
                return gpu;
            }
        }
        if (setting == ComputeDevice.AUTO) {
            LOG.warn(
                    "csm.model.device=auto: no usable CUDA device, running on the CPU. Tried: {}",
                    summary(tried));
            return Device.cpu();
        }
        throw new IllegalStateException(
                "csm.model.device="
                        + s
                        + " but no CUDA device is usable. Tried: "
                        + summary(tried)
                        + ". "
                        + HINT);
    }

    private static String summary(List<CudaAttempt> tried) {
        return tried.stream().map(CudaAttempt::toString).collect(Collectors.joining("; "));
    }
}
