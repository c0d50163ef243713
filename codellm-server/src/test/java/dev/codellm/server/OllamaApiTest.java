package dev.codellm.server;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.ChatMessage;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ollama's API: the exchange recorded from ollama's documentation (test resource
 * {@code ollama/exchange.json}: the documented requests verbatim and the fields each documented
 * response carries) replayed against the server, with the generated text checked against the
 * fake model's independently computed answers; and the same through {@code curl}.
 */
class OllamaApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static FakeBatchBackend model;
    static TestServer server;

    @BeforeAll
    static void start() {
        model = new FakeBatchBackend(512, 0, 0);
        server = TestServer.withFake(model, 2, 8, ServerOptions.defaults());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theDocumentedExchangeIsAnsweredInOllamasShape() throws Exception {
        JsonNode exchange;
        try (InputStream in = getClass().getResourceAsStream("/ollama/exchange.json")) {
            exchange = JSON.readTree(in);
        }
        int checked = 0;
        for (JsonNode x : exchange.get("exchanges")) {
            String name = x.get("name").asText();
            HttpResponse<String> r = x.get("method").asText().equals("GET") ? server.get(x.get("path").asText())
                    : server.post(x.get("path").asText(), x.get("request").toString());
            assertEquals(x.has("status") ? x.get("status").asInt() : 200, r.statusCode(), name + ": " + r.body());
            boolean stream = x.path("stream").asBoolean(false);
            String type = r.headers().firstValue("Content-Type").orElse("");
            List<JsonNode> objects = new ArrayList<>();
            if (stream) {
                assertTrue(type.startsWith("application/x-ndjson"), name + ": " + type);
                for (String line : r.body().split("\n", -1)) {
                    if (!line.isEmpty()) objects.add(JSON.readTree(line)); // one whole JSON object per line, nothing else
                }
                assertTrue(objects.size() > 2, name + ": streamed in pieces");
                for (JsonNode o : objects.subList(0, objects.size() - 1)) {
                    hasKeys(o, x.get("keys"), name);
                    assertFalse(o.get("done").asBoolean(), name);
                }
                JsonNode last = objects.getLast();
                hasKeys(last, x.get("final"), name + " (final)");
                assertTrue(last.get("done").asBoolean());
                assertTrue(last.get("eval_duration").isIntegralNumber() && last.get("total_duration").asLong() >= last.get("eval_duration").asLong());
            } else {
                assertTrue(type.startsWith("application/json"), name + ": " + type);
                JsonNode o = JSON.readTree(r.body());
                objects.add(o);
                hasKeys(o, x.get("keys"), name);
                if (x.has("values")) x.get("values").properties().forEach(e -> assertEquals(e.getValue(), o.get(e.getKey()), name + " " + e.getKey()));
                if (x.has("each")) {
                    JsonNode list = o.get(x.at("/each/field").asText());
                    assertTrue(list.isArray() && !list.isEmpty(), name);
                    for (JsonNode item : list) hasKeys(item, x.at("/each/keys"), name);
                }
            }
            if (x.has("expect")) {
                StringBuilder text = new StringBuilder();
                for (JsonNode o : objects) text.append(o.has("message") ? o.at("/message/content").asText() : o.get("response").asText());
                JsonNode e = x.get("expect");
                assertEquals(expected(e), text.toString(), name);
                JsonNode last = objects.getLast();
                assertEquals(utf8(FakeBatchBackend.answer(prompt(e))), last.get("eval_count").asInt(), name + " eval_count");
                assertEquals(prompt(e).length, last.get("prompt_eval_count").asInt(), name + " prompt_eval_count");
                assertEquals("stop", last.get("done_reason").asText());
            }
            checked++;
        }
        assertEquals(18, checked);
    }

    @Test
    void embedReturnsTheModelsVectors() throws Exception {
        JsonNode r = JSON.readTree(server.post("/api/embed", "{\"model\": \"m\", \"input\": [\"ab\", \"c\"]}").body());
        for (int i = 0; i < 2; i++) {
            float[] want = FakeBatchBackend.embedding(FakeBatchBackend.bytes(i == 0 ? "ab" : "c", true));
            for (int j = 0; j < want.length; j++) assertEquals(want[j], r.at("/embeddings/" + i + "/" + j).floatValue(), 1e-6);
        }
        assertEquals(5, r.get("prompt_eval_count").asInt()); // BOS a b + BOS c
    }

    @Test
    void errorsAreOllamasObjectAndStructuredOutputIsRefused() throws Exception {
        HttpResponse<String> r = server.post("/api/generate", "{\"model\": \"m\", \"prompt\": \"x\", \"format\": \"json\"}");
        assertEquals(400, r.statusCode());
        JsonNode err = JSON.readTree(r.body()).get("error");
        assertTrue(err.isTextual() && err.asText().contains("format"), r.body());
        HttpResponse<String> bad = server.post("/api/chat", "{\"model\": \"m\", \"messages\": [{\"role\": \"wizard\", \"content\": \"x\"}]}");
        assertEquals(400, bad.statusCode());
        assertTrue(JSON.readTree(bad.body()).get("error").isTextual(), bad.body());
        HttpResponse<String> pull = server.post("/api/pull", "{\"model\": \"codellama:7b\"}");
        assertTrue(JSON.readTree(pull.body()).get("error").asText().contains("--model"), pull.body());
    }

    @Test
    void numPredictLimitsAndShowReportsTheModel() throws Exception {
        JsonNode g = JSON.readTree(server.post("/api/generate", "{\"model\": \"m\", \"prompt\": \"hi\", \"stream\": false, \"options\": {\"num_predict\": 3}}").body());
        assertEquals(3, g.get("eval_count").asInt());
        assertEquals("length", g.get("done_reason").asText());
        JsonNode show = JSON.readTree(server.post("/api/show", "{\"model\": \"anything\"}").body());
        assertEquals(512, show.at("/model_info/llama.context_length").asInt());
        List<String> caps = new ArrayList<>();
        show.get("capabilities").forEach(c -> caps.add(c.asText()));
        assertEquals(List.of("completion", "insert", "embedding"), caps);
    }

    /** The same streamed generate through curl, as a user would try it. */
    @Test
    void curlStreamsNdjsonLines() throws Exception {
        Process p = new ProcessBuilder("curl", "-sS", "-N", server.base + "/api/generate", "-d", "{\"model\": \"codellama\", \"prompt\": \"Why?\"}")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        String[] lines = out.strip().split("\n");
        StringBuilder text = new StringBuilder();
        for (String line : lines) text.append(JSON.readTree(line).get("response").asText());
        assertEquals(FakeBatchBackend.answer(model.completionPrompt("Why?")), text.toString());
        assertTrue(JSON.readTree(lines[lines.length - 1]).get("done").asBoolean());
    }

    private static void hasKeys(JsonNode o, JsonNode keys, String name) {
        for (JsonNode k : keys) assertTrue(o.has(k.asText()), name + ": no '" + k.asText() + "' in " + o);
    }

    private static int[] prompt(JsonNode e) {
        return switch (e.get("kind").asText()) {
            case "completion" -> model.completionPrompt(e.get("prompt").asText());
            case "infill" -> model.infillPrompt(e.get("prompt").asText(), e.get("suffix").asText());
            default -> {
                List<ChatMessage> messages = new ArrayList<>();
                for (JsonNode m : e.get("messages")) messages.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
                yield model.chatPrompt(messages);
            }
        };
    }

    private static String expected(JsonNode e) {
        String answer = FakeBatchBackend.answer(prompt(e));
        return e.get("kind").asText().equals("chat") ? answer.substring(1) : answer;
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    static HttpRequest.Builder request(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    }
}
