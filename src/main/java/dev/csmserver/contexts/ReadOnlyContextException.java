package dev.csmserver.contexts;

/** An attempt to overwrite or delete a built-in context (a published voice of the model). */
public class ReadOnlyContextException extends RuntimeException {
    private final String id;

    public ReadOnlyContextException(String id) {
        super(
                "context '"
                        + id
                        + "' is a built-in voice of the model and cannot be changed or deleted");
        this.id = id;
    }

    public String id() {
        return id;
    }
}
