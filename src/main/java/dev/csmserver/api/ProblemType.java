package dev.csmserver.api;

/**
 * Every error kind a client can see, with its HTTP status and stable {@code type} URI ({@code
 * urn:csm-server:problem:<slug>}). Clients switch on the URI, never on the detail text.
 */
public enum ProblemType {
    MALFORMED_REQUEST(400, "malformed-request", "The request body could not be read"),
    INVALID_PARAMETER(400, "invalid-parameter", "A parameter is out of range or of the wrong type"),
    TEXT_EMPTY(400, "text-empty", "The text is empty"),
    TEXT_TOO_LONG(400, "text-too-long", "The text is too long"),
    PROMPT_TOO_LONG(400, "prompt-too-long", "The prompt does not fit the model's context"),
    INVALID_AUDIO(400, "invalid-audio", "The audio could not be decoded"),
    UNSUPPORTED_FORMAT(400, "unsupported-format", "The response format is not supported"),
    UNSUPPORTED_OPTION(400, "unsupported-option", "CSM cannot do what this option asks"),
    UNAUTHORIZED(401, "unauthorized", "A valid API key is required"),
    CONTEXT_NOT_FOUND(404, "context-not-found", "No stored context has this id"),
    NOT_FOUND(404, "not-found", "No such resource"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
    NOT_ACCEPTABLE(406, "not-acceptable", "The requested media type cannot be produced"),
    REQUEST_TIMEOUT(408, "request-timeout", "The request body did not arrive in time"),
    CONTEXT_EXISTS(409, "context-exists", "A context with this id already exists"),
    CONTEXT_READ_ONLY(
            409, "context-read-only", "This context is a built-in voice and cannot be changed"),
    AUDIO_TOO_LARGE(413, "audio-too-large", "The audio is too large or too long"),
    BODY_TOO_LARGE(413, "body-too-large", "The request body is too large"),
    UNSUPPORTED_MEDIA_TYPE(
            415, "unsupported-media-type", "The request content type is not supported"),
    QUEUE_FULL(429, "queue-full", "The service is at capacity"),
    INTERNAL(500, "internal-error", "Internal error"),
    CONTEXT_CORRUPT(
            500, "context-corrupt", "A stored context is damaged and cannot be read; delete it"),
    UNAVAILABLE(503, "service-unavailable", "The service is not available right now"),
    DEADLINE_EXCEEDED(504, "deadline-exceeded", "The request's deadline passed");

    private static final String PREFIX = "urn:csm-server:problem:";

    private final int status;
    private final String slug;
    private final String title;

    ProblemType(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public String uri() {
        return PREFIX + slug;
    }
}
