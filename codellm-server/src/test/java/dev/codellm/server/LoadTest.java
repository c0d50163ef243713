package dev.codellm.server;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.ChatMessage;
import dev.codellm.core.FinishReason;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * 1,000 requests from 8 concurrent clients over loopback: plain and streamed completions, streamed
 * chats, streams the client abandons after three chunks, and malformed bodies. Every answer is
 * checked against the fake model's known output; afterwards no slot, sequence or request may be
 * left over and the server's metrics must add up to what the clients saw.
 */
class LoadTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int REQUESTS = 1000, CLIENTS = 8, REPEATS = 2;

    final Queue<String> failures = new ConcurrentLinkedQueue<>();
    final AtomicInteger ok = new AtomicInteger(), malformed = new AtomicInteger(), abandoned = new AtomicInteger();
    final AtomicLong clientCompletionTokens = new AtomicLong();

    @Test
    void thousandMixedRequestsEndCleanAndMetricsAddUp() throws Exception {
        FakeBatchBackend model = new FakeBatchBackend(1024, 200, 20, REPEATS);
        try (TestServer server = TestServer.withFake(model, 4, 64, ServerOptions.defaults());
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build()) {
            // The first fifth warms up pools (Jetty's, the virtual-thread carriers, the client's);
            // the platform thread count after it must not grow during the other four fifths.
            AtomicInteger next = new AtomicInteger();
            run(http, server.base, model, next, REQUESTS / 5);
            java.util.Set<String> warm = threadNames();
            run(http, server.base, model, next, REQUESTS);
            assertTrue(failures.isEmpty(), failures.size() + " unexpected results, first: " + failures.peek());

            // the server settles: nothing running, queued, in flight or allocated
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((server.service.busySlots() > 0 || server.metrics.inFlight() > 0) && System.nanoTime() < until) Thread.sleep(5);
            assertEquals(0, server.service.busySlots(), "slots leaked");
            assertEquals(0, server.service.queueDepth());
            assertEquals(0, server.metrics.inFlight(), "requests still in flight");
            assertEquals(0, model.liveSequences.get(), "KV sequences leaked");
            java.util.Set<String> grown = threadNames();
            grown.removeAll(warm);
            assertTrue(grown.size() <= 4, "platform threads appeared under steady load: " + grown);
            assertEquals(1, threadNames().stream().filter(n -> n.startsWith("codellm-scheduler")).count());
            assertTrue(model.maxBatch.get() > 1, "requests were batched");

            Metrics m = server.metrics;
            assertEquals(REQUESTS, m.totalRequests());
            assertEquals(malformed.get(), m.requestCount("/v1/completions", 400) + m.requestCount("/v1/chat/completions", 400));
            long generations = m.finishedJobs(FinishReason.STOP) + m.finishedJobs(FinishReason.LENGTH) + m.finishedJobs(FinishReason.CANCELLED);
            assertEquals(REQUESTS - malformed.get(), generations, "one generation per well-formed request");
            assertEquals(0, m.failedJobs());
            assertTrue(m.finishedJobs(FinishReason.CANCELLED) > 0, "some abandoned streams were cancelled server-side");
            assertTrue(m.finishedJobs(FinishReason.CANCELLED) <= abandoned.get());
            // tokens the clients were told about = tokens of generations that were not cancelled
            // (an abandoned stream that finished before the server noticed still told the client nothing)
            long toldOrAbandonedFinished = m.completionTokens(FinishReason.STOP) + m.completionTokens(FinishReason.LENGTH);
            long abandonedButFinished = abandoned.get() - m.finishedJobs(FinishReason.CANCELLED);
            long fullAnswerTokens = FakeBatchBackend.answer(model.completionPrompt("abandon"), REPEATS).getBytes(StandardCharsets.UTF_8).length;
            assertTrue(toldOrAbandonedFinished >= clientCompletionTokens.get());
            assertTrue(toldOrAbandonedFinished - clientCompletionTokens.get() <= abandonedButFinished * (fullAnswerTokens + 64));

            HttpResponse<String> text = http.send(HttpRequest.newBuilder(URI.create(server.base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            long scraped = text.body().lines().filter(l -> l.startsWith("codellm_requests_total{"))
                    .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
            assertEquals(REQUESTS, scraped, "/metrics counts every request");
        }
    }

    /** 8 clients take request numbers from {@code next} until it reaches {@code upTo}. */
    private void run(HttpClient http, String base, FakeBatchBackend model, AtomicInteger next, int upTo) throws Exception {
        try (ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
            List<Future<?>> fs = new java.util.ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                fs.add(clients.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < upTo; ) {
                        try {
                            one(http, base, model, i);
                        } catch (Exception e) {
                            failures.add("request " + i + ": " + e);
                        }
                    }
                    next.set(upTo);
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get(120, TimeUnit.SECONDS);
        }
    }

    private static java.util.Set<String> threadNames() {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) if (!t.getName().startsWith("pool-")) names.add(t.getName());
        return names;
    }

    private void one(HttpClient http, String base, FakeBatchBackend model, int i) throws Exception {
        switch (i % 10) {
            case 0 -> {
                HttpResponse<String> r = post(http, base + "/v1/completions", i % 20 == 0 ? "{\"prompt\": " : "{\"prompt\": \"x\", \"temperature\": \"hot\"}");
                expect(r.statusCode() == 400 && r.body().contains("\"error\""), i, "malformed → 400, got " + r.statusCode());
                malformed.incrementAndGet();
            }
            case 1 -> abandonStream(http, base, i);
            case 2, 3 -> streamCompletion(http, base, model, i);
            case 4 -> streamChat(http, base, model, i);
            default -> {
                String prompt = "load test " + i;
                HttpResponse<String> r = post(http, base + "/v1/completions", "{\"prompt\": \"" + prompt + "\", \"max_tokens\": 500, \"seed\": " + i + "}");
                expect(r.statusCode() == 200, i, "status " + r.statusCode() + " " + r.body());
                JsonNode body = JSON.readTree(r.body());
                String expected = FakeBatchBackend.answer(model.completionPrompt(prompt), REPEATS);
                expect(expected.equals(body.at("/choices/0/text").asText()), i, "wrong text " + body.at("/choices/0/text"));
                int tokens = body.at("/usage/completion_tokens").asInt();
                expect(tokens == expected.getBytes(StandardCharsets.UTF_8).length, i, "usage " + tokens);
                clientCompletionTokens.addAndGet(tokens);
                ok.incrementAndGet();
            }
        }
    }

    private void streamCompletion(HttpClient http, String base, FakeBatchBackend model, int i) throws Exception {
        String prompt = "stream " + i;
        List<String> events = stream(http, base + "/v1/completions",
                "{\"prompt\": \"" + prompt + "\", \"max_tokens\": 500, \"stream\": true, \"stream_options\": {\"include_usage\": true}}", Integer.MAX_VALUE);
        StringBuilder text = new StringBuilder();
        for (String e : events.subList(0, events.size() - 2)) text.append(JSON.readTree(e).at("/choices/0/text").asText());
        String expected = FakeBatchBackend.answer(model.completionPrompt(prompt), REPEATS);
        expect(expected.contentEquals(text), i, "streamed text " + text);
        expect(events.getLast().equals("[DONE]"), i, "ends with [DONE]");
        int tokens = JSON.readTree(events.get(events.size() - 2)).at("/usage/completion_tokens").asInt();
        expect(tokens == expected.getBytes(StandardCharsets.UTF_8).length, i, "stream usage " + tokens);
        clientCompletionTokens.addAndGet(tokens);
    }

    private void streamChat(HttpClient http, String base, FakeBatchBackend model, int i) throws Exception {
        String content = "chat " + i;
        List<String> events = stream(http, base + "/v1/chat/completions",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"" + content + "\"}], \"stream\": true, \"stream_options\": {\"include_usage\": true}}",
                Integer.MAX_VALUE);
        StringBuilder text = new StringBuilder();
        for (String e : events.subList(0, events.size() - 2)) text.append(JSON.readTree(e).at("/choices/0/delta/content").asText(""));
        String expected = FakeBatchBackend.chatAnswer(model.chatPrompt(List.of(ChatMessage.user(content))), REPEATS);
        expect(expected.contentEquals(text), i, "streamed chat " + text);
        int tokens = JSON.readTree(events.get(events.size() - 2)).at("/usage/completion_tokens").asInt();
        clientCompletionTokens.addAndGet(tokens);
    }

    /** Reads three chunks of a long stream, then hangs up. */
    private void abandonStream(HttpClient http, String base, int i) throws Exception {
        stream(http, base + "/v1/completions", "{\"prompt\": \"abandon\", \"max_tokens\": 1000, \"stream\": true}", 3);
        abandoned.incrementAndGet();
    }

    /** The SSE data payloads, stopping (and closing the connection) after {@code limit} of them. */
    private List<String> stream(HttpClient http, String url, String body, int limit) throws Exception {
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) throw new AssertionError("status " + r.statusCode() + " " + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
        List<String> events = new java.util.ArrayList<>();
        try (InputStream in = r.body(); BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; events.size() < limit && (line = reader.readLine()) != null; ) {
                if (line.startsWith("data: ")) events.add(line.substring(6));
            }
        }
        return events;
    }

    private static HttpResponse<String> post(HttpClient http, String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void expect(boolean condition, int i, String what) {
        if (!condition) failures.add("request " + i + ": " + what);
    }
}
