package dev.codellm.server;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.ChatMessage;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's "what broke with real clients", over raw HTTP: any model name, {@code --alias},
 * {@code max_tokens: -1}, the routes without {@code /v1}, llama-server's /completion, /props and
 * /apply-template, /infill's default cap, and CORS.
 */
class ClientCompatibilityTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int CTX = 256;
    static FakeBatchBackend model;
    static TestServer server;

    @BeforeAll
    static void start() {
        // answers far longer than the context, so "until the context is full" is observable
        model = new FakeBatchBackend(CTX, 0, 0, 100);
        server = TestServer.withFake(model, 2, 8, ServerOptions.defaults().withAliases(List.of("codellama:7b", "my model")));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode ok(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void aliasesAreWhatModelsListsAndAnyNameIsAnswered() throws Exception {
        JsonNode list = ok(server.get("/v1/models"));
        assertEquals(2, list.get("data").size());
        assertEquals("codellama:7b", list.at("/data/0/id").asText());
        assertEquals("my model", list.at("/data/1/id").asText());
        assertEquals(200, server.get("/v1/models/codellama:7b").statusCode());
        assertEquals(404, server.get("/v1/models/fake-model").statusCode(), "only the aliases are listed");
        // Continue, Tabby and SDK examples send their own names: answered, and echoed back
        JsonNode c = ok(server.post("/v1/completions", "{\"model\": \"Qwen2.5 Coder 7B\", \"prompt\": \"x\", \"max_tokens\": 2}"));
        assertEquals("Qwen2.5 Coder 7B", c.get("model").asText());
        JsonNode none = ok(server.post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 2}"));
        assertEquals("codellama:7b", none.get("model").asText(), "no model field: the primary name");
    }

    @Test
    void maxTokensMinusOneRunsUntilTheContextIsFull() throws Exception {
        JsonNode c = ok(server.post("/v1/completions", "{\"prompt\": \"edit\", \"max_tokens\": -1, \"temperature\": 0}"));
        assertEquals("length", c.at("/choices/0/finish_reason").asText());
        assertEquals(CTX, c.at("/usage/total_tokens").asInt(), c.get("usage").toString());
        JsonNode chat = ok(server.post("/v1/chat/completions",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": -1}"));
        assertEquals(CTX, chat.at("/usage/total_tokens").asInt());
        assertEquals(400, server.post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": -5}").statusCode());
    }

    @Test
    void openAiRoutesAnswerWithoutTheV1Prefix() throws Exception {
        assertEquals("codellama:7b", ok(server.get("/models")).at("/data/0/id").asText());
        JsonNode c = ok(server.post("/completions", "{\"prompt\": \"x\", \"max_tokens\": 3}"));
        assertEquals("text_completion", c.get("object").asText());
        JsonNode chat = ok(server.post("/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 3}"));
        assertEquals("chat.completion", chat.get("object").asText());
    }

    @Test
    void llamaCppCompletionTakesTextOrTokensAndReportsTimings() throws Exception {
        JsonNode c = ok(server.post("/completion", "{\"prompt\": \"Hello\", \"n_predict\": 6}"));
        String expected = FakeBatchBackend.answer(model.completionPrompt("Hello"), 100).substring(0, 6);
        assertEquals(expected, c.get("content").asText());
        assertTrue(c.get("stop").asBoolean());
        assertEquals("limit", c.get("stop_type").asText());
        assertEquals(6, c.get("tokens_predicted").asInt());
        assertEquals(6, c.at("/timings/predicted_n").asInt());
        assertTrue(c.at("/timings/prompt_ms").asDouble() >= 0);
        // token ids are used as they are (no BOS added), as llama-server does
        JsonNode t = ok(server.post("/completion", "{\"prompt\": [72, 105], \"n_predict\": 4}"));
        assertEquals(FakeBatchBackend.answer(new int[] {72, 105}, 100).substring(0, 4), t.get("content").asText());
        assertEquals(2, t.get("tokens_evaluated").asInt());
        // streamed: data events, the last with stop and the figures, no [DONE]
        HttpResponse<String> s = server.post("/completion", "{\"prompt\": \"Hello\", \"n_predict\": 6, \"stream\": true}");
        StringBuilder text = new StringBuilder();
        JsonNode last = null;
        for (String line : s.body().split("\n")) {
            if (!line.startsWith("data: ")) continue;
            last = JSON.readTree(line.substring(6));
            text.append(last.get("content").asText());
        }
        assertEquals(expected, text.toString());
        assertTrue(last.get("stop").asBoolean());
        assertFalse(s.body().contains("[DONE]"));
    }

    @Test
    void infillWithoutNPredictStopsAtTheDefaultCap() throws Exception {
        JsonNode c = ok(server.post("/infill", "{\"input_prefix\": \"a\", \"input_suffix\": \"b\"}"));
        assertEquals(PlanParser.INFILL_DEFAULT_N_PREDICT, c.get("tokens_predicted").asInt());
        assertEquals("limit", c.get("stop_type").asText());
    }

    @Test
    void propsReportTheContextAndSlotsAsLlamaServer() throws Exception {
        JsonNode p = ok(server.get("/props"));
        assertEquals(CTX, p.at("/default_generation_settings/n_ctx").asInt());
        assertEquals(2, p.get("total_slots").asInt());
        assertTrue(p.has("chat_template") && p.has("bos_token") && p.has("eos_token") && p.has("build_info"));
    }

    @Test
    void applyTemplateReturnsThePromptTheChatWouldRun() throws Exception {
        JsonNode p = ok(server.post("/apply-template", "{\"messages\": [{\"role\": \"system\", \"content\": \"S\"}, {\"role\": \"user\", \"content\": \"U\"}]}"));
        // the fake's template: "[role]: content\n" per message, then "[assistant]:"; its BOS piece is <s>
        assertEquals("<s>[system]: S\n[user]: U\n[assistant]:", p.get("prompt").asText());
        int[] ids = model.chatPrompt(List.of(ChatMessage.system("S"), ChatMessage.user("U")));
        assertEquals(ids.length - 1 + "<s>".length(), p.get("prompt").asText().length(), "the same text the chat prompt encodes");
        assertEquals(400, server.post("/apply-template", "{\"messages\": []}").statusCode());
    }

    @Test
    void corsIsAllowedOnLoopbackAndPreflightsNeedNoKey() throws Exception {
        try (TestServer keyed = TestServer.withFake(model, 1, 4, ServerOptions.defaults().withApiKey("k"))) {
            HttpResponse<String> pre = keyed.http.send(HttpRequest.newBuilder(URI.create(keyed.base + "/v1/chat/completions"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://localhost:3000")
                    .header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "authorization, content-type").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(204, pre.statusCode(), pre.body());
            assertEquals("*", pre.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
            assertTrue(pre.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("POST"));
            assertEquals("authorization, content-type", pre.headers().firstValue("Access-Control-Allow-Headers").orElse(null));
            HttpResponse<String> get = keyed.get("/v1/models", "Origin", "http://localhost:3000", "Authorization", "Bearer k");
            assertEquals(200, get.statusCode());
            assertEquals("*", get.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
            HttpResponse<String> denied = keyed.get("/v1/models", "Origin", "http://localhost:3000");
            assertEquals(401, denied.statusCode());
            assertEquals("*", denied.headers().firstValue("Access-Control-Allow-Origin").orElse(null), "errors readable by the page too");
        }
    }

    @Test
    void corsOriginCanBeSetOrTurnedOff() throws Exception {
        try (TestServer one = TestServer.withFake(model, 1, 4, ServerOptions.defaults().withCorsOrigin("https://app.example"));
             TestServer off = TestServer.withFake(model, 1, 4, ServerOptions.defaults().withCorsOrigin(""))) {
            HttpResponse<String> r = one.get("/v1/models", "Origin", "https://app.example");
            assertEquals("https://app.example", r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
            assertTrue(off.get("/v1/models", "Origin", "https://app.example").headers().firstValue("Access-Control-Allow-Origin").isEmpty());
        }
        // listening on all interfaces, the default grants no origin
        assertNull(ServerOptions.defaults().withHost("0.0.0.0").effectiveCorsOrigin());
        assertEquals("*", ServerOptions.defaults().effectiveCorsOrigin());
    }

    static HttpRequest.Builder request(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    }
}
