package dev.csmserver.contexts;

/**
 * A context id that is already taken: ids are create-once, so storing under one that exists (an
 * upload, a {@code save_as}, or the loser of two concurrent creates) never replaces it.
 */
public class ContextExistsException extends RuntimeException {
    private final String id;

    public ContextExistsException(String id) {
        super("context '" + id + "' exists; DELETE it first or choose another id");
        this.id = id;
    }

    public String id() {
        return id;
    }
}
