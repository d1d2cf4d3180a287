package dev.csmserver.nn;

/** Hands a failure caught on another thread back to the caller's thread. */
final class Throwables {
    private Throwables() {}

    /** Throws {@code failure} as it is if unchecked, wrapped if checked; returns if it is null. */
    static void rethrow(Throwable failure) {
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        } else if (failure instanceof Error) {
            throw (Error) failure;
        } else if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }
}
