package dev.csmserver.api;

/** A client error found at the edge; {@link ProblemMapper} turns it into problem+json. */
public class ApiException extends RuntimeException {
    private final ProblemType type;

    public ApiException(ProblemType type, String detail) {
        super(detail);
        this.type = type;
    }

    public ProblemType type() {
        return type;
    }
}
