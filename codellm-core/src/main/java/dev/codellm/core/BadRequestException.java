package dev.codellm.core;

/**
 * A request that cannot be answered as given, naming the parameter at fault (e.g. {@code messages}
 * for a malformed turn order or a chat template that refuses the conversation). Front ends map it
 * without knowing its origin: the HTTP server answers 400 with {@code param}, the CLI prints the
 * message as one line.
 */
public class BadRequestException extends CodellmException {
    private final String param;

    public BadRequestException(String message, String param) {
        super(message);
        this.param = param;
    }

    /** The request field at fault ({@code messages}, {@code prompt}, ...), or null. */
    public String param() { return param; }
}
