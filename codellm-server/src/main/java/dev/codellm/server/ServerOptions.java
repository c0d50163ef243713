package dev.codellm.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

/**
 * How the HTTP server listens, names its model and guards itself.
 *
 * @param apiKey          when non-null, every endpoint but /health needs {@code Authorization: Bearer <apiKey>}
 * @param requestTimeout  a generation running longer ends with finish_reason "length"; one still queued after it fails with 503
 * @param maxBodyBytes    larger request bodies are refused with 413
 * @param shutdownGrace   on stop, running requests get this long to finish before they are cancelled
 * @param aliases         names {@code /v1/models} lists for the model (empty: its GGUF name); requests may name any model
 * @param corsOrigin      the {@code Access-Control-Allow-Origin} to grant browsers, or null for no CORS headers;
 *                        {@link #DEFAULT_CORS} means "{@code *} when listening on loopback only, else none"
 * @param requestLog      how each request is logged to stderr ({@code serve --log-format}; none for embedded servers)
 */
public record ServerOptions(String host, int port, String apiKey, Duration requestTimeout, long maxBodyBytes, Duration shutdownGrace,
                            List<String> aliases, String corsOrigin, RequestLog.Format requestLog) {
    /** Marker for the default CORS policy (resolved by {@link #effectiveCorsOrigin()}). */
    public static final String DEFAULT_CORS = "default";

    public ServerOptions {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        for (String a : aliases) if (a.isBlank()) throw new IllegalArgumentException("--alias must not be blank");
        if (requestLog == null) requestLog = RequestLog.Format.NONE;
    }

    public ServerOptions(String host, int port, String apiKey, Duration requestTimeout, long maxBodyBytes, Duration shutdownGrace,
                         List<String> aliases, String corsOrigin) {
        this(host, port, apiKey, requestTimeout, maxBodyBytes, shutdownGrace, aliases, corsOrigin, RequestLog.Format.NONE);
    }

    public ServerOptions(String host, int port, String apiKey, Duration requestTimeout, long maxBodyBytes, Duration shutdownGrace) {
        this(host, port, apiKey, requestTimeout, maxBodyBytes, shutdownGrace, List.of(), DEFAULT_CORS);
    }

    public static ServerOptions defaults() {
        return new ServerOptions("127.0.0.1", 8080, null, Duration.ofMinutes(10), 8L << 20, Duration.ofSeconds(30));
    }

    /**
     * The CORS origin in force: the one asked for, or by default {@code *} when the server listens
     * on a loopback address only (pages on this machine, such as a local Open WebUI, may call it)
     * and none when it listens on the network (a page elsewhere must not drive the model unasked).
     */
    public String effectiveCorsOrigin() {
        if (!DEFAULT_CORS.equals(corsOrigin)) return corsOrigin == null || corsOrigin.isBlank() ? null : corsOrigin;
        try {
            return InetAddress.getByName(host).isLoopbackAddress() ? "*" : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    public ServerOptions withPort(int p) { return new ServerOptions(host, p, apiKey, requestTimeout, maxBodyBytes, shutdownGrace, aliases, corsOrigin, requestLog); }
    public ServerOptions withHost(String h) { return new ServerOptions(h, port, apiKey, requestTimeout, maxBodyBytes, shutdownGrace, aliases, corsOrigin, requestLog); }
    public ServerOptions withApiKey(String k) { return new ServerOptions(host, port, k, requestTimeout, maxBodyBytes, shutdownGrace, aliases, corsOrigin, requestLog); }
    public ServerOptions withRequestTimeout(Duration t) { return new ServerOptions(host, port, apiKey, t, maxBodyBytes, shutdownGrace, aliases, corsOrigin, requestLog); }
    public ServerOptions withMaxBodyBytes(long b) { return new ServerOptions(host, port, apiKey, requestTimeout, b, shutdownGrace, aliases, corsOrigin, requestLog); }
    public ServerOptions withShutdownGrace(Duration g) { return new ServerOptions(host, port, apiKey, requestTimeout, maxBodyBytes, g, aliases, corsOrigin, requestLog); }
    public ServerOptions withAliases(List<String> a) { return new ServerOptions(host, port, apiKey, requestTimeout, maxBodyBytes, shutdownGrace, a, corsOrigin, requestLog); }
    public ServerOptions withCorsOrigin(String o) { return new ServerOptions(host, port, apiKey, requestTimeout, maxBodyBytes, shutdownGrace, aliases, o, requestLog); }
    public ServerOptions withRequestLog(RequestLog.Format f) { return new ServerOptions(host, port, apiKey, requestTimeout, maxBodyBytes, shutdownGrace, aliases, corsOrigin, f); }
}
