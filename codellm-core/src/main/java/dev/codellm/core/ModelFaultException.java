package dev.codellm.core;

/**
 * The model itself failed, not the request: its logits became NaN or infinite (a damaged file, NaN
 * weights). Front ends map it without knowing its origin: the CLI prints the message as one line
 * and exits 1, the HTTP server answers 500 {@code server_error} (never 400: the client did nothing
 * wrong), and an eval run stops instead of recording empty answers as failures of the model.
 */
public class ModelFaultException extends CodellmException {
    public ModelFaultException(String message) { super(message); }
}
