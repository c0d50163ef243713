package dev.codellm.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;

/** Reading JSON request bodies and writing JSON answers and OpenAI-shaped errors. */
final class HttpJson {
    private HttpJson() {}

    /** The body as a JSON object; empty, malformed or non-object bodies are 400s. */
    static JsonNode read(Context ctx) {
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length == 0) throw ApiError.badRequest("The request body is empty; send a JSON object.", null);
        JsonNode node;
        try {
            node = ResponseJson.MAPPER.readTree(bytes);
        } catch (JacksonException e) {
            throw ApiError.badRequest("The request body is not valid JSON: " + e.getOriginalMessage(), null);
        } catch (java.io.IOException e) {
            throw ApiError.badRequest("The request body could not be read: " + e.getMessage(), null);
        }
        if (node == null || !node.isObject()) throw ApiError.badRequest("The request body must be a JSON object.", null);
        return node;
    }

    static void send(Context ctx, int status, JsonNode body) throws java.io.IOException {
        ctx.status(status);
        ctx.contentType("application/json");
        writeNow(ctx, ResponseJson.MAPPER.writeValueAsBytes(body));
    }

    /**
     * Writes and closes the body before the handler returns (rather than leaving it to Javalin
     * afterwards), so once a request is no longer counted in flight its answer is complete on the
     * wire and a graceful stop cannot cut it off.
     */
    static void writeNow(Context ctx, byte[] body) throws java.io.IOException {
        ClientWatch.stop(ctx);
        var res = ctx.res();
        res.setContentLength(body.length);
        var out = res.getOutputStream();
        out.write(body);
        out.close();
    }

    /** Any failure as the API error a client should see (our own errors as they are; the rest are 500s). */
    static ApiError toApiError(Throwable t) {
        if (t instanceof ApiError e) return e;
        if (t instanceof dev.codellm.core.BadRequestException b) return ApiError.badRequest(b.getMessage(), b.param());
        if (t instanceof dev.codellm.core.ModelFaultException m) return new ApiError(500, "server_error", m.getMessage(), null, "model_fault", null);
        if (t instanceof HttpResponseException h) {
            int s = h.getStatus();
            String type = s >= 500 ? "server_error" : "invalid_request_error";
            String message = s == 413 ? "The request body is too large." : h.getMessage();
            return new ApiError(s, type, message, null, null, null);
        }
        return new ApiError(500, "server_error", "Internal error: " + t.getClass().getSimpleName()
                + (t.getMessage() == null ? "" : ": " + t.getMessage()), null, null, null);
    }
}
