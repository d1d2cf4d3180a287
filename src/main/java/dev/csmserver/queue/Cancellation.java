package dev.csmserver.queue;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A flag the worker checks after every frame; set from any thread (client disconnect, shutdown).
 * The first reason given wins.
 */
public final class Cancellation {
    private final AtomicReference<String> reason = new AtomicReference<>();

    /** Asks the worker to drop the job at the next frame boundary; idempotent. */
    public void cancel(String why) {
        reason.compareAndSet(null, why);
    }

    public boolean isCancelled() {
        return reason.get() != null;
    }

    public String reason() {
        return reason.get();
    }
}
