package dev.csmserver.weights;

/**
 * A checkpoint cannot be used: missing file, corrupt header, wrong dtype, missing or mis-shaped
 * tensor.
 */
public class WeightsException extends RuntimeException {
    public WeightsException(String message) {
        super(message);
    }

    public WeightsException(String message, Throwable cause) {
        super(message, cause);
    }
}
