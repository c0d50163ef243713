package dev.codellm.server;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** serve's request log: one line per request, its token counts the ones the response's usage gives. */
class RequestLogTest {
    static final ObjectMapper JSON = new ObjectMapper();

    private record Logged(List<String> lines, List<JsonNode> usages, List<Integer> statuses) {}

    private Logged exchange(RequestLog.Format format) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Metrics m = new Metrics();
        ApiServer server = new ApiServer(new BatchScheduler(new FakeBatchBackend(64, 0, 0), 2, 4, m),
                ServerOptions.defaults().withHost("127.0.0.1").withPort(0).withRequestLog(format), m)
                .logTo(new PrintStream(log, true, StandardCharsets.UTF_8)).start();
        try (HttpClient http = HttpClient.newHttpClient()) {
            String base = "http://127.0.0.1:" + server.port();
            var usages = new java.util.ArrayList<JsonNode>();
            var statuses = new java.util.ArrayList<Integer>();
            for (String body : new String[] {"{\"prompt\": \"hello there\", \"max_tokens\": 5}", "{\"prompt\": \"x\", \"max_tokens\": 2, \"n\": 3}"}) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
                statuses.add(r.statusCode());
                usages.add(JSON.readTree(r.body()).get("usage"));
            }
            statuses.add(http.send(HttpRequest.newBuilder(URI.create(base + "/health")).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            statuses.add(http.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            // The server writes a request's line after the response went out, so the client can see
            // the last answer before its line exists: wait (bounded) for one line per request.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (format != RequestLog.Format.NONE && System.nanoTime() < deadline
                    && log.toString(StandardCharsets.UTF_8).lines().count() < statuses.size()) {
                Thread.sleep(10);
            }
            return new Logged(log.toString(StandardCharsets.UTF_8).lines().toList(), usages, statuses);
        } finally {
            server.stop();
        }
    }

    @Test
    void textLinesNameMethodRouteStatusTokensAndTime() throws Exception {
        Logged l = exchange(RequestLog.Format.TEXT);
        assertEquals(List.of(200, 200, 200, 400), l.statuses());
        assertEquals(4, l.lines().size(), l.lines().toString());
        for (int i = 0; i < 2; i++) {
            JsonNode u = l.usages().get(i);
            String expected = " POST /v1/completions 200 tokens " + u.get("prompt_tokens").asInt() + "+" + u.get("completion_tokens").asInt() + " ";
            assertTrue(l.lines().get(i).contains(expected), l.lines().get(i) + " should contain" + expected);
            assertTrue(l.lines().get(i).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ .* \\d+ ms 127\\.0\\.0\\.1"), l.lines().get(i));
        }
        assertTrue(l.lines().get(2).contains(" GET /health 200 ") && !l.lines().get(2).contains("tokens"), l.lines().get(2));
        assertTrue(l.lines().get(3).contains(" POST /v1/completions 400 "), l.lines().get(3));
    }

    @Test
    void jsonLinesAreOneObjectEachWithSnakeCaseKeys() throws Exception {
        Logged l = exchange(RequestLog.Format.JSON);
        JsonNode n = JSON.readTree(l.lines().get(1));
        assertEquals("POST", n.get("method").asText());
        assertEquals("/v1/completions", n.get("path").asText());
        assertEquals(200, n.get("status").asInt());
        assertEquals(l.usages().get(1).get("prompt_tokens").asInt(), n.get("prompt_tokens").asInt(), "n=3 choices share one prompt");
        assertEquals(l.usages().get(1).get("completion_tokens").asInt(), n.get("completion_tokens").asInt());
        assertTrue(n.get("ms").asLong() >= 0);
        assertFalse(JSON.readTree(l.lines().get(2)).has("prompt_tokens"));
    }

    @Test
    void noneLogsNothingAndAnUnknownFormatIsNamed() throws Exception {
        assertEquals(List.of(), exchange(RequestLog.Format.NONE).lines());
        var e = assertThrows(IllegalArgumentException.class, () -> RequestLog.Format.parse("xml"));
        assertEquals("unknown --log-format 'xml' (choose text, json or none)", e.getMessage());
    }
}
