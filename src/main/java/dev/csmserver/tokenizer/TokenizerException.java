package dev.csmserver.tokenizer;

/** The tokenizer file is unusable, or a text does not fit the model's context. */
public class TokenizerException extends RuntimeException {
    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
