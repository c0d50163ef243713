package dev.codellm.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A streamed response of JSON events, flushed one by one so tokens reach the client as they are
 * made: server-sent events ({@code data: <json>\n\n}, OpenAI and llama-server) or NDJSON (one JSON
 * object per line, ollama). A write failing means the client went away.
 */
final class EventStream {
    private final Context ctx;
    private final OutputStream out;
    private final boolean sse;

    private EventStream(Context ctx, OutputStream out, boolean sse) {
        this.ctx = ctx;
        this.out = out;
        this.sse = sse;
    }

    /** Server-sent events ({@code text/event-stream}). */
    static EventStream sse(Context ctx) throws IOException {
        return start(ctx, "text/event-stream; charset=utf-8", true);
    }

    /** Newline-delimited JSON ({@code application/x-ndjson}), as ollama streams. */
    static EventStream ndjson(Context ctx) throws IOException {
        return start(ctx, "application/x-ndjson", false);
    }

    private static EventStream start(Context ctx, String contentType, boolean sse) throws IOException {
        var res = ctx.res();
        res.setStatus(200);
        res.setContentType(contentType);
        res.setHeader("Cache-Control", "no-cache");
        res.setHeader("X-Accel-Buffering", "no");
        EventStream s = new EventStream(ctx, res.getOutputStream(), sse);
        res.flushBuffer();
        return s;
    }

    void send(JsonNode event) throws IOException {
        String json = ResponseJson.MAPPER.writeValueAsString(event);
        write(sse ? "data: " + json + "\n\n" : json + "\n");
    }

    /** OpenAI's end-of-stream marker; also ends the response (see {@link HttpJson#writeNow}). */
    void done() throws IOException {
        write("data: [DONE]\n\n");
        close();
    }

    /** Completes the chunked response on the wire now. */
    void close() throws IOException {
        ClientWatch.stop(ctx); // Jetty reads the connection again once the response is complete
        out.close();
    }

    private void write(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
