package dev.csmserver.queue;

/** The worker is not accepting work (starting up or shutting down). */
public class ServiceUnavailableException extends RuntimeException {
    public ServiceUnavailableException(String message) {
        super(message);
    }
}
