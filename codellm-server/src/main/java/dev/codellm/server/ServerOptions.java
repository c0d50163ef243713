package dev.codellm.server;

import java.time.Duration;

/**
 * How the HTTP server listens and guards itself.
 *
 * @param apiKey          when non-null, every endpoint but /health needs {@code Authorization: Bearer <apiKey>}
 * @param requestTimeout  a generation running longer ends with finish_reason "length"; one still queued after it fails with 503
 * @param maxBodyBytes    larger request bodies are refused with 413
 * @param shutdownGrace   on stop, running requests get this long to finish before they are cancelled
 */
public record ServerOptions(String host, int port, String apiKey, Duration requestTimeout, long maxBodyBytes, Duration shutdownGrace) {
    public static ServerOptions defaults() {
        return new ServerOptions("127.0.0.1", 8080, null, Duration.ofMinutes(10), 8L << 20, Duration.ofSeconds(30));
    }

    public ServerOptions withPort(int p) { return new ServerOptions(host, p, apiKey, requestTimeout, maxBodyBytes, shutdownGrace); }
    public ServerOptions withHost(String h) { return new ServerOptions(h, port, apiKey, requestTimeout, maxBodyBytes, shutdownGrace); }
    public ServerOptions withApiKey(String k) { return new ServerOptions(host, port, k, requestTimeout, maxBodyBytes, shutdownGrace); }
    public ServerOptions withRequestTimeout(Duration t) { return new ServerOptions(host, port, apiKey, t, maxBodyBytes, shutdownGrace); }
    public ServerOptions withMaxBodyBytes(long b) { return new ServerOptions(host, port, apiKey, requestTimeout, b, shutdownGrace); }
    public ServerOptions withShutdownGrace(Duration g) { return new ServerOptions(host, port, apiKey, requestTimeout, maxBodyBytes, g); }
}
