package dev.csmserver.pipeline;

import ai.djl.Device;

/**
 * The one place that prepares DJL for this process: forces offline mode before any DJL class
 * touches the network (without it DJL probes a cloud metadata address and may try to download
 * libtorch), and resolves the configured device. Every entry point (CLI, service, benches) calls
 * {@link #init()} first.
 */
public final class DjlRuntime {
    private static volatile boolean initialised;

    private DjlRuntime() {}

    /** Sets the offline flags; idempotent. */
    public static void init() {
        if (initialised) {
            return;
        }
        synchronized (DjlRuntime.class) {
            if (initialised) {
                return;
            }
            System.setProperty("ai.djl.offline", "true");
            System.setProperty("DJL_OFFLINE", "true");
            // DJL's usage telemetry is opt-out; this service never phones home.
            System.setProperty("OPT_OUT_TRACKING", "true");
            initialised = true;
        }
    }

    /**
     * Resolves {@code auto|cpu|cuda} to a device ({@link DeviceChoice}): a GPU when DJL counts one
     * or, failing that, when libtorch itself can place a tensor on cuda:0.
     */
    public static Device device(ComputeDevice setting) {
        init();
        return DeviceChoice.resolve(setting, CudaProbes::djlGpuCount, CudaProbes::libtorchTensor);
    }
}
