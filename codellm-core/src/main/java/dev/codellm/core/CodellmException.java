package dev.codellm.core;

/**
 * An error a user can act on (missing file, corrupt model, bad option). The CLI prints only
 * its message, as one line, and exits 1; stack traces are shown only with {@code --verbose}.
 */
public class CodellmException extends RuntimeException {
    public CodellmException(String message) { super(message); }
    public CodellmException(String message, Throwable cause) { super(message, cause); }
}
