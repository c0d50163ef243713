package dev.codellm.server;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** llama.cpp's /infill, /tokenize, /detokenize, /health, /metrics, and the per-request timeout. */
class LlamaCppEndpointsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static FakeBatchBackend model;
    static TestServer server;

    @BeforeAll
    static void start() {
        model = new FakeBatchBackend(4096, 0, 0);
        server = TestServer.withFake(model, 2, 8, ServerOptions.defaults());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void infillPutsExtraContextBeforeThePrefix() throws Exception {
        HttpResponse<String> r = server.post("/infill", """
                {"input_prefix": "def f():\\n    ", "input_suffix": "\\n    return x",
                 "input_extra": [{"filename": "util.py", "text": "X = 1"}], "n_predict": 100}""");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode b = JSON.readTree(r.body());
        int[] prompt = model.infillPrompt("// util.py\nX = 1\ndef f():\n    ", "\n    return x");
        assertEquals(FakeBatchBackend.answer(prompt), b.get("content").asText());
        assertTrue(b.get("stop").asBoolean());
        assertEquals(prompt.length, b.get("tokens_evaluated").asInt());
        assertEquals("eos", b.get("stop_type").asText());
    }

    @Test
    void infillStreamsLlamaCppChunks() throws Exception {
        HttpResponse<String> r = server.post("/infill", "{\"input_prefix\": \"a\", \"input_suffix\": \"b\", \"stream\": true, \"n_predict\": 5}");
        assertEquals(200, r.statusCode());
        StringBuilder text = new StringBuilder();
        JsonNode last = null;
        for (String line : r.body().split("\n")) {
            if (!line.startsWith("data: ")) continue;
            last = JSON.readTree(line.substring(6));
            text.append(last.get("content").asText());
        }
        assertEquals(FakeBatchBackend.answer(model.infillPrompt("a", "b")).substring(0, 5), text.toString());
        assertTrue(last.get("stop").asBoolean());
        assertEquals("limit", last.get("stop_type").asText());
    }

    @Test
    void tokenizeWithPiecesAndDetokenize() throws Exception {
        JsonNode t = JSON.readTree(server.post("/tokenize", "{\"content\": \"hé\", \"with_pieces\": true}").body()).get("tokens");
        assertEquals(3, t.size()); // h, 0xC3, 0xA9
        assertEquals('h', t.get(0).get("id").asInt());
        assertEquals("h", t.get(0).get("piece").asText());
        JsonNode d = JSON.readTree(server.post("/detokenize", "{\"tokens\": [104, 195, 169]}").body());
        assertEquals("hé", d.get("content").asText());
        assertEquals(400, server.post("/tokenize", "{\"text\": \"x\"}").statusCode());
    }

    @Test
    void healthAndMetrics() throws Exception {
        JsonNode h = JSON.readTree(server.get("/health").body());
        assertEquals("ok", h.get("status").asText());
        assertEquals(2, h.get("slots_idle").asInt() + h.get("slots_processing").asInt());
        server.post("/v1/completions", "{\"prompt\": \"m\", \"max_tokens\": 3}");
        HttpResponse<String> m = server.get("/metrics");
        assertEquals(200, m.statusCode());
        assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        String text = m.body();
        assertTrue(text.contains("# TYPE codellm_requests_total counter"), text);
        assertTrue(text.contains("codellm_requests_total{endpoint=\"/v1/completions\",status=\"200\"}"), text);
        assertTrue(text.contains("codellm_slots_total 2"), text);
        assertTrue(text.contains("codellm_queue_depth 0"), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("codellm_completion_tokens_total ") && Long.parseLong(l.split(" ")[1]) >= 3), text);
    }

    @Test
    void aRequestOverItsTimeLimitEndsWithLength() throws Exception {
        // 2 ms per step and a 300 ms limit: a 1,600-token answer is cut short
        FakeBatchBackend slow = new FakeBatchBackend(100_000, 2000, 0, 100);
        try (TestServer s = TestServer.withFake(slow, 1, 2, ServerOptions.defaults().withRequestTimeout(Duration.ofMillis(300)))) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = s.post("/v1/completions", "{\"prompt\": \"slow\", \"max_tokens\": 5000}");
            double secs = (System.nanoTime() - t0) / 1e9;
            assertEquals(200, r.statusCode(), r.body());
            JsonNode b = JSON.readTree(r.body());
            assertEquals("length", b.at("/choices/0/finish_reason").asText());
            assertTrue(b.at("/usage/completion_tokens").asInt() < 1500);
            assertTrue(secs < 10, "took " + secs + " s");
        }
    }
}
