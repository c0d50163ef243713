package dev.codellm.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own error responses (requests Jetty refuses before any route sees them: headers over
 * its limit → 431, a malformed request line → 400, an unknown method → 405...) as OpenAI error
 * objects instead of Jetty's HTML page, so that every error the server sends is the same JSON
 * object a client parses for all others.
 */
final class JsonErrorHandler extends ErrorHandler {

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        byte[] body = body(code, message);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    static byte[] body(int code, String message) {
        String text = message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
        if (code == 431) text = "Request header fields too large (the server accepts at most " + ApiServer.MAX_HEADER_BYTES / 1024 + " KiB of headers).";
        ApiError e = new ApiError(code, code >= 500 ? "server_error" : "invalid_request_error", text, null, null, null);
        try {
            return ResponseJson.MAPPER.writeValueAsBytes(ResponseJson.error(e));
        } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
            return ("{\"error\":{\"message\":\"HTTP " + code + "\"}}").getBytes(StandardCharsets.UTF_8);
        }
    }
}
