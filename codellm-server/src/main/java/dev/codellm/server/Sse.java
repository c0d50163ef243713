package dev.codellm.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A server-sent-events response: {@code data: <json>\n\n} per event, flushed at once so tokens
 * reach the client as they are made. A write failing means the client went away.
 */
final class Sse {
    private final Context ctx;
    private final OutputStream out;

    private Sse(Context ctx, OutputStream out) {
        this.ctx = ctx;
        this.out = out;
    }

    static Sse start(Context ctx) throws IOException {
        var res = ctx.res();
        res.setStatus(200);
        res.setContentType("text/event-stream; charset=utf-8");
        res.setHeader("Cache-Control", "no-cache");
        res.setHeader("X-Accel-Buffering", "no");
        Sse sse = new Sse(ctx, res.getOutputStream());
        res.flushBuffer();
        return sse;
    }

    void send(JsonNode event) throws IOException {
        write("data: " + ResponseJson.MAPPER.writeValueAsString(event) + "\n\n");
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
