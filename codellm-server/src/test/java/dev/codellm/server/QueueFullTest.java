package dev.codellm.server;

import static org.junit.jupiter.api.Assertions.*;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** With every slot busy and the queue full, new requests get 503 + Retry-After at once. */
class QueueFullTest {
    @Test
    void overflowIs503WithRetryAfter() throws Exception {
        // 1 slot, queue of 1, each decode step 5 ms → a 300-token answer holds the slot ~1.5 s
        try (TestServer server = TestServer.withFake(new FakeBatchBackend(4096, 5000, 0, 50), 1, 1, ServerOptions.defaults())) {
            String body = "{\"prompt\": \"long\", \"max_tokens\": 300}";
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                inFlight.add(server.http.sendAsync(HttpRequest.newBuilder(URI.create(server.base + "/v1/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
                long until = System.nanoTime() + 10_000_000_000L;
                while (server.service.busySlots() + server.service.queueDepth() <= i) {
                    assertTrue(System.nanoTime() < until, "request " + i + " never reached the scheduler");
                    Thread.sleep(1);
                }
            }
            HttpResponse<String> refused = server.post("/v1/completions", body);
            ErrorResponsesTest.error(refused, 503);
            assertEquals("1", refused.headers().firstValue("Retry-After").orElseThrow());
            for (var f : inFlight) assertEquals(200, f.get().statusCode());
        }
    }
}
