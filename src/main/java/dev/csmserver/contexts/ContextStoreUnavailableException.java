package dev.csmserver.contexts;

/** The context store's backend cannot be reached (maps to 503 at the edge). */
public class ContextStoreUnavailableException extends RuntimeException {
    public ContextStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
