package dev.codellm.server;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Raw HTTP: every bad request gets OpenAI's error object with the right status, and the server lives on. */
class ErrorResponsesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static TestServer server;
    static final String[] AUTH = {"Authorization", "Bearer k1"};

    @BeforeAll
    static void start() {
        server = TestServer.withFake(new FakeBatchBackend(64, 0, 0), 2, 4,
                ServerOptions.defaults().withApiKey("k1").withMaxBodyBytes(4096));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Asserts the status and the error object's shape; returns the error object. */
    static JsonNode error(HttpResponse<String> r, int status) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode err = JSON.readTree(r.body()).get("error");
        assertNotNull(err, r.body());
        assertTrue(err.get("message").isTextual() && !err.get("message").asText().isEmpty());
        assertTrue(err.get("type").isTextual());
        assertTrue(err.has("param") && err.has("code"));
        return err;
    }

    HttpResponse<String> completions(String body) throws Exception {
        return server.post("/v1/completions", body, AUTH);
    }

    @Test
    void malformedJsonIs400() throws Exception {
        error(completions("{\"prompt\": \"x\""), 400);
        error(completions(""), 400);
        error(completions("[1, 2]"), 400);
        error(completions("null"), 400);
        // the wire is standard JSON: the NaN files may hold (core's file mapper reads it) is malformed here
        error(completions("{\"prompt\": \"x\", \"temperature\": NaN}"), 400);
    }

    @Test
    void wrongTypesAre400NamingTheField() throws Exception {
        assertEquals("max_tokens", error(completions("{\"prompt\": \"x\", \"max_tokens\": \"ten\"}"), 400).get("param").asText());
        assertEquals("temperature", error(completions("{\"prompt\": \"x\", \"temperature\": true}"), 400).get("param").asText());
        assertEquals("prompt", error(completions("{\"prompt\": 42}"), 400).get("param").asText());
        assertEquals("prompt", error(completions("{\"max_tokens\": 3}"), 400).get("param").asText());
        assertEquals("stop", error(completions("{\"prompt\": \"x\", \"stop\": [1]}"), 400).get("param").asText());
        assertEquals("stream", error(completions("{\"prompt\": \"x\", \"stream\": \"yes\"}"), 400).get("param").asText());
        error(server.post("/v1/chat/completions", "{\"messages\": \"hi\"}", AUTH), 400);
        error(server.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"wizard\", \"content\": \"x\"}]}", AUTH), 400);
        error(server.post("/v1/chat/completions", "{\"messages\": [{\"content\": \"x\"}]}", AUTH), 400);
    }

    @Test
    void outOfRangeValuesAre400() throws Exception {
        assertEquals("temperature", error(completions("{\"prompt\": \"x\", \"temperature\": 3}"), 400).get("param").asText());
        assertEquals("top_p", error(completions("{\"prompt\": \"x\", \"top_p\": 0}"), 400).get("param").asText());
        assertEquals("n", error(completions("{\"prompt\": \"x\", \"n\": 0}"), 400).get("param").asText());
        assertEquals("max_tokens", error(completions("{\"prompt\": \"x\", \"max_tokens\": -2}"), 400).get("param").asText());
        assertEquals("logprobs", error(completions("{\"prompt\": \"x\", \"logprobs\": 6}"), 400).get("param").asText());
        assertEquals("presence_penalty", error(completions("{\"prompt\": \"x\", \"presence_penalty\": -2.5}"), 400).get("param").asText());
    }

    @Test
    void aModelFieldThatIsNoStringIs400() throws Exception {
        assertEquals("model", error(completions("{\"model\": 7, \"prompt\": \"x\"}"), 400).get("param").asText());
    }

    @Test
    void promptOverTheContextIs400ContextLengthExceeded() throws Exception {
        JsonNode e = error(completions("{\"prompt\": \"" + "a".repeat(100) + "\"}"), 400);
        assertEquals("context_length_exceeded", e.get("code").asText());
        assertTrue(e.get("message").asText().contains("64"));
    }

    @Test
    void bodyOverTheLimitIs413() throws Exception {
        error(completions("{\"prompt\": \"" + "a".repeat(10_000) + "\"}"), 413);
    }

    @Test
    void missingOrWrongKeyIs401ButHealthIsOpen() throws Exception {
        error(server.post("/v1/completions", "{\"prompt\": \"x\"}"), 401);
        error(server.post("/v1/completions", "{\"prompt\": \"x\"}", "Authorization", "Bearer k2"), 401);
        error(server.get("/v1/models", "Authorization", "k1"), 401);
        assertEquals(200, server.get("/health").statusCode());
    }

    @Test
    void unknownRouteIs404() throws Exception {
        error(server.get("/v1/nothing", AUTH), 404);
        error(server.post("/v2/completions", "{}", AUTH), 404);
        error(server.get("/v1/models/other-model", AUTH), 404);
    }

    @Test
    void serverStillAnswersAfterAllThat() throws Exception {
        HttpResponse<String> r = completions("{\"prompt\": \"ok\", \"max_tokens\": 5}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(5, JSON.readTree(r.body()).at("/usage/completion_tokens").asInt());
    }

    @Test
    void unsupportedFieldsAre400NamingTheField() throws Exception {
        String chat = "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 2, ";
        String tool = "[{\"type\": \"function\", \"function\": {\"name\": \"f\"}}]";
        String[][] refused = {
                {"\"tools\": " + tool, "tools", "unsupported_parameter"},
                {"\"tools\": " + tool + ", \"tool_choice\": \"auto\"", "tool_choice", "unsupported_parameter"},
                {"\"tool_choice\": \"required\"", "tool_choice", "unsupported_parameter"},
                {"\"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"f\"}}", "tool_choice", "unsupported_parameter"},
                {"\"functions\": [{\"name\": \"f\"}]", "functions", "unsupported_parameter"},
                {"\"function_call\": {\"name\": \"f\"}", "function_call", "unsupported_parameter"},
                {"\"response_format\": {\"type\": \"json_object\"}", "response_format", "unsupported_value"},
                {"\"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"x\"}}", "response_format", "unsupported_value"},
                {"\"response_format\": \"json\"", "response_format", null},
                {"\"tools\": {}", "tools", null},
                {"\"logit_bias\": {\"abc\": 1}", "logit_bias", null},
                {"\"logit_bias\": {\"5\": 101}", "logit_bias", null},
                {"\"logit_bias\": {\"5\": \"high\"}", "logit_bias", null},
                {"\"logit_bias\": {\"261\": 1}", "logit_bias", null},
                {"\"logit_bias\": [1]", "logit_bias", null},
        };
        for (String[] c : refused) {
            JsonNode err = error(server.post("/v1/chat/completions", chat + c[0] + "}", AUTH), 400);
            assertEquals(c[1], err.get("param").asText(), c[0]);
            if (c[2] != null) assertEquals(c[2], err.get("code").asText(), c[0]);
        }
        // the same checks guard /v1/completions
        assertEquals("response_format", error(completions("{\"prompt\": \"x\", \"response_format\": {\"type\": \"json_object\"}}"), 400)
                .get("param").asText());
        // "off" values are accepted
        String[] accepted = {"\"tools\": []", "\"tool_choice\": \"none\"", "\"tools\": " + tool + ", \"tool_choice\": \"none\"",
                "\"tool_choice\": \"auto\"", "\"response_format\": {\"type\": \"text\"}", "\"functions\": [], \"function_call\": \"none\"",
                "\"logit_bias\": {}", "\"logit_bias\": {\"0\": -100, \"260\": 100}", "\"user\": \"someone\""};
        for (String a : accepted) {
            var r = server.post("/v1/chat/completions", chat + a + "}", AUTH);
            assertEquals(200, r.statusCode(), a + " → " + r.body());
        }
    }
}
