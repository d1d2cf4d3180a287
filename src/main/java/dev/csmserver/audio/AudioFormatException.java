package dev.csmserver.audio;

/**
 * Audio bytes that cannot be read: not a RIFF/WAVE file, a corrupt or truncated header, or an
 * encoding this service does not decode. The message says what was found and what is supported, so
 * the API layer can hand it to the client as is.
 */
public final class AudioFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AudioFormatException(String message) {
        super(message);
    }
}
