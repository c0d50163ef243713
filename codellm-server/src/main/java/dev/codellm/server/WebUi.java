package dev.codellm.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The web UI at {@code /}: one page with its script and style, served from the jar (no CDN, no
 * build step). A strict Content-Security-Policy allows only this server's own script, style and
 * API: even if model output ever slipped through the page's escaping as markup, a browser would
 * not run an inline script or an {@code onerror} handler from it.
 */
final class WebUi {
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8");

    private final Map<String, byte[]> files;

    WebUi() {
        files = Map.of("index.html", load("index.html"), "app.js", load("app.js"), "app.css", load("app.css"));
    }

    void page(Context ctx) throws IOException {
        send(ctx, "index.html");
    }

    /** /ui/{file}: the page's script and style; anything else is a 404. */
    void asset(Context ctx) throws IOException {
        String name = ctx.pathParam("file");
        if (name.equals("index.html") || !files.containsKey(name)) throw ApiError.notFound("Unknown route: GET " + ctx.path());
        send(ctx, name);
    }

    private void send(Context ctx, String name) throws IOException {
        ctx.status(200);
        ctx.contentType(TYPES.get(name));
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Cache-Control", "no-cache");
        HttpJson.writeNow(ctx, files.get(name));
    }

    private static byte[] load(String name) {
        try (InputStream in = WebUi.class.getResourceAsStream("/web/" + name)) {
            if (in == null) throw new IllegalStateException("web UI resource missing from the jar: /web/" + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
