package dev.csmserver.pipeline;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that prepares DJL for this process: forces offline mode before any DJL class
 * touches the network (without it DJL probes a cloud metadata address and may try to download
 * libtorch), and resolves the configured device. Every entry point (CLI, service, benches) calls
 * {@link #init()} first.
 */
public final class DjlRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(DjlRuntime.class);
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

    /** Resolves {@code auto|cpu|cuda} to a device: auto takes the first GPU when one is visible. */
    public static Device device(String setting) {
        init();
        String s = setting == null ? "auto" : setting.trim().toLowerCase(Locale.ROOT);
        int gpus = Engine.getInstance().getGpuCount();
        switch (s) {
            case "cpu":
                return Device.cpu();
            case "cuda":
            case "gpu":
                if (gpus == 0) {
                    throw new IllegalStateException("csm.device=cuda but no CUDA device is visible to libtorch");
                }
                return Device.gpu();
            case "auto":
                Device d = gpus > 0 ? Device.gpu() : Device.cpu();
                LOG.info("device auto -> {} ({} GPU(s) visible)", d, gpus);
                return d;
            default:
                throw new IllegalArgumentException("csm.device must be auto, cpu or cuda, not '" + setting + "'");
        }
    }
}
