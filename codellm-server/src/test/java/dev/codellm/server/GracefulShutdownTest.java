package dev.codellm.server;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** stop() (what SIGTERM triggers) lets a running stream finish, then closes the listener. */
class GracefulShutdownTest {
    @Test
    void runningStreamEndsCleanlyAndNewRequestsAreRefused() throws Exception {
        FakeBatchBackend model = new FakeBatchBackend(100_000, 2000, 0, 20); // ~360 tokens at 2 ms
        TestServer server = TestServer.withFake(model, 2, 4, ServerOptions.defaults().withShutdownGrace(Duration.ofSeconds(20)));
        HttpResponse<InputStream> r = server.http.send(HttpRequest.newBuilder(URI.create(server.base + "/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"bye\", \"max_tokens\": 1000, \"stream\": true}")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        List<String> events = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; events.size() < 3 && (line = in.readLine()) != null; ) if (line.startsWith("data: ")) events.add(line);
            Thread stopper = Thread.ofPlatform().start(server.server::stop); // not server.close(): that also closes this client
            for (String line; (line = in.readLine()) != null; ) if (line.startsWith("data: ")) events.add(line);
            stopper.join(30_000);
            assertFalse(stopper.isAlive(), "stop() returned");
        }
        assertEquals("data: [DONE]", events.getLast());
        assertTrue(events.get(events.size() - 2).contains("\"finish_reason\":\"stop\""), events.get(events.size() - 2));
        assertEquals(0, model.liveSequences.get());
        assertThrows(java.io.IOException.class, () -> server.http.send(HttpRequest.newBuilder(URI.create(server.base + "/health")).build(),
                HttpResponse.BodyHandlers.ofString()));
        server.close();
    }

    @Test
    void whenGraceRunsOutStreamsAreEndedWithDone() throws Exception {
        FakeBatchBackend model = new FakeBatchBackend(100_000, 2000, 0, 1000); // far longer than the grace
        TestServer server = TestServer.withFake(model, 1, 4, ServerOptions.defaults().withShutdownGrace(Duration.ofMillis(200)));
        HttpResponse<InputStream> r = server.http.send(HttpRequest.newBuilder(URI.create(server.base + "/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"long\", \"max_tokens\": 100000, \"stream\": true}")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        List<String> events = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; events.size() < 3 && (line = in.readLine()) != null; ) if (line.startsWith("data: ")) events.add(line);
            Thread stopper = Thread.ofPlatform().start(server.server::stop); // not server.close(): that also closes this client
            for (String line; (line = in.readLine()) != null; ) if (line.startsWith("data: ")) events.add(line);
            stopper.join(30_000);
        }
        assertEquals("data: [DONE]", events.getLast());
        assertTrue(events.get(events.size() - 2).contains("\"finish_reason\":\"cancelled\""), events.get(events.size() - 2));
        assertEquals(0, model.liveSequences.get());
        server.close();
    }
}
