package dev.csmserver.contexts;

/**
 * A stored entry that cannot be read back as a context: truncated, written by something else, or
 * with sizes that do not match its length. Listing skips it; reading or using it is this error,
 * which names the id and the reason (never a path) so the operator can delete it.
 */
public class CorruptContextException extends RuntimeException {
    private final String id;

    public CorruptContextException(String id, String reason) {
        super(
                "stored context '"
                        + id
                        + "' cannot be read ("
                        + reason
                        + "); DELETE it and store it again");
        this.id = id;
    }

    public String id() {
        return id;
    }
}
