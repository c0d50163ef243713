package dev.codellm.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A real server on a free loopback port, backed by an {@link InferenceService}; closed after each test class. */
final class TestServer implements AutoCloseable {
    final ApiServer server;
    final Metrics metrics;
    final InferenceService service;
    final String base;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    TestServer(InferenceService service, ServerOptions options, Metrics metrics) {
        this.service = service;
        this.metrics = metrics;
        this.server = new ApiServer(service, options.withHost("127.0.0.1").withPort(0), metrics).start();
        this.base = "http://127.0.0.1:" + server.port();
    }

    static TestServer withFake(FakeBatchBackend model, int slots, int queue, ServerOptions options) {
        Metrics m = new Metrics();
        return new TestServer(new BatchScheduler(model, slots, queue, m), options, m);
    }

    HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET();
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        server.stop();
        http.close();
    }
}
