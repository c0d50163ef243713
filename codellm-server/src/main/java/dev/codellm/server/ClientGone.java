package dev.codellm.server;

/**
 * Recognises a client that went away mid-request: Jetty reports a body cut short (the client
 * announced more bytes than it sent and closed) as an {@code EofException} ("Early EOF"), wrapped
 * by Javalin or the servlet layer. Such a request is counted with nginx's 499 "client closed
 * request", not as a server failure with a stack trace: nothing is wrong on our side.
 */
final class ClientGone {
    private ClientGone() {}

    static boolean is(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof org.eclipse.jetty.io.EofException) return true;
            if (c instanceof java.io.IOException && c.getMessage() != null && c.getMessage().contains("Early EOF")) return true;
        }
        return false;
    }
}
