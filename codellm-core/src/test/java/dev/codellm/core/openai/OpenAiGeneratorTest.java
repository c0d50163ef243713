package dev.codellm.core.openai;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.codellm.core.ChatMessage;
import dev.codellm.core.ChatRequest;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Completion;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.FinishReason;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.TokenSink;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drives the client against a stub OpenAI server on localhost that records what it receives. */
class OpenAiGeneratorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer server;
    private final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
    private final List<String> authHeaders = new CopyOnWriteArrayList<>();
    private final List<String> paths = new CopyOnWriteArrayList<>();
    /** Scripted responses, consumed in order; the last one repeats. */
    private final List<Reply> script = new CopyOnWriteArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();

    record Reply(int status, String contentType, String body, String retryAfter, long delayMillis) {
        static Reply json(String body) { return new Reply(200, "application/json", body, null, 0); }
        static Reply status(int s, String body) { return new Reply(s, "application/json", body, null, 0); }
    }

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool()); // a slow reply must not block the retry
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        int n = calls.getAndIncrement();
        paths.add(ex.getRequestURI().getPath());
        authHeaders.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
        bodies.add(JSON.readTree(ex.getRequestBody().readAllBytes()));
        Reply r = script.get(Math.min(n, script.size() - 1));
        if (r.delayMillis() > 0) {
            try {
                Thread.sleep(r.delayMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", r.contentType());
        if (r.retryAfter() != null) ex.getResponseHeaders().set("Retry-After", r.retryAfter());
        try {
            ex.sendResponseHeaders(r.status(), out.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(out);
            }
        } catch (IOException clientWentAway) {
            // the client timed out first: nothing to do
        }
    }

    private OpenAiGenerator client(String suffixPath) {
        OpenAiConfig c = OpenAiConfig.of("http://127.0.0.1:" + server.getAddress().getPort() + suffixPath, "stub-model")
                .withApiKey("sk-test")
                .withRetries(3, Duration.ofMillis(5), Duration.ofMillis(20))
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2));
        return new OpenAiGenerator(c);
    }

    @Test
    void completionSendsPromptSamplingAndAuthAndParsesTheAnswer() {
        script.add(Reply.json("{\"choices\":[{\"text\":\"    return a + b\\n\",\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7}}"));
        SamplingParams s = SamplingParams.GREEDY.withTemperature(0.8).withTopP(0.95).withMaxTokens(64)
                .withSeed(42L).withStop(List.of("\ndef ", "\nif __name__"));
        Completion c = client("").complete(CompletionRequest.of("def add(a, b):\n", s), TokenSink.NONE);

        assertEquals("    return a + b\n", c.text());
        assertEquals(FinishReason.STOP, c.finishReason());
        assertEquals(12, c.usage().promptTokens());
        assertEquals(7, c.usage().completionTokens());
        assertEquals("/v1/completions", paths.get(0));
        assertEquals("Bearer sk-test", authHeaders.get(0));
        JsonNode b = bodies.get(0);
        assertEquals("stub-model", b.path("model").asText());
        assertEquals("def add(a, b):\n", b.path("prompt").asText());
        assertFalse(b.has("suffix"));
        assertEquals(0.8, b.path("temperature").asDouble());
        assertEquals(0.95, b.path("top_p").asDouble());
        assertEquals(64, b.path("max_tokens").asInt());
        assertEquals(42, b.path("seed").asLong());
        assertEquals("\nif __name__", b.path("stop").path(1).asText());
        assertFalse(b.has("stream"));
        assertFalse(b.has("top_k"), "non-OpenAI fields are only sent when set");
    }

    @Test
    void infillSendsTheSuffixAndBaseUrlMayAlreadyEndInV1() {
        script.add(Reply.json("{\"choices\":[{\"text\":\"x + 1\",\"finish_reason\":\"length\"}]}"));
        Completion c = client("/v1/").complete(new CompletionRequest("y = ", "\nprint(y)", SamplingParams.GREEDY), TokenSink.NONE);
        assertEquals("x + 1", c.text());
        assertEquals(FinishReason.LENGTH, c.finishReason());
        assertEquals("/v1/completions", paths.get(0));
        assertEquals("\nprint(y)", bodies.get(0).path("suffix").asText());
    }

    @Test
    void chatSendsMessagesAsTheyAreAndStripsARepeatedPrefill() {
        // An API that ignores the prefill and answers anew repeats it: the text is what follows it.
        script.add(Reply.json("{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"```python\\ndef f(): pass\\n```\"},\"finish_reason\":\"stop\"}]}"));
        ChatRequest req = new ChatRequest(List.of(ChatMessage.system("be brief"), ChatMessage.user("write f"), ChatMessage.assistant("```python\n")),
                SamplingParams.GREEDY);
        Completion c = client("").chat(req, TokenSink.NONE);
        assertEquals("def f(): pass\n```", c.text());
        assertEquals("/v1/chat/completions", paths.get(0));
        JsonNode msgs = bodies.get(0).path("messages");
        assertEquals(3, msgs.size(), "the trailing assistant message (the prefill) is sent as it is");
        assertEquals("user", msgs.get(1).path("role").asText());
        assertEquals("write f", msgs.get(1).path("content").asText());
        assertEquals("assistant", msgs.get(2).path("role").asText());
        assertEquals("```python\n", msgs.get(2).path("content").asText());
    }

    @Test
    void chatWithAServerThatContinuesThePrefillKeepsItsText() {
        script.add(Reply.json("{\"choices\":[{\"message\":{\"content\":\"def f(): pass\\n```\"},\"finish_reason\":\"stop\"}]}"));
        Completion c = client("").chat(new ChatRequest(List.of(ChatMessage.user("write f"), ChatMessage.assistant("```python\n")),
                SamplingParams.GREEDY), TokenSink.NONE);
        assertEquals("def f(): pass\n```", c.text());
        JsonNode msgs = bodies.get(0).path("messages");
        assertEquals("assistant", msgs.get(1).path("role").asText());
        assertEquals("```python\n", msgs.get(1).path("content").asText());
    }

    @Test
    void streamingDeliversPiecesToTheSinkInOrder() {
        String sse = "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n"
                + ": keep-alive comment\n\n"
                + "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n"
                + "data: {\"choices\":[{\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"length\"}]}\n\n"
                + "data: [DONE]\n\n";
        script.add(new Reply(200, "text/event-stream", sse, null, 0));
        List<String> pieces = new ArrayList<>();
        Completion c = client("").chat(ChatRequest.of(List.of(ChatMessage.user("hi")), SamplingParams.GREEDY), t -> pieces.add(t));
        assertEquals(List.of("Hel", "lo"), pieces);
        assertEquals("Hello", c.text());
        assertEquals(FinishReason.LENGTH, c.finishReason());
        assertTrue(bodies.get(0).path("stream").asBoolean());
    }

    @Test
    void streamingStopsWhenTheSinkSaysSo() {
        String sse = "data: {\"choices\":[{\"text\":\"a\"}]}\n\ndata: {\"choices\":[{\"text\":\"b\"}]}\n\ndata: [DONE]\n\n";
        script.add(new Reply(200, "text/event-stream", sse, null, 0));
        Completion c = client("").complete(CompletionRequest.of("p", SamplingParams.GREEDY), t -> false);
        assertEquals("a", c.text());
        assertEquals(FinishReason.CANCELLED, c.finishReason());
    }

    @Test
    void retriesServerErrorsAndRateLimitsThenSucceeds() {
        script.add(Reply.status(503, "{\"error\":{\"message\":\"overloaded\"}}"));
        script.add(new Reply(429, "application/json", "{\"error\":{\"message\":\"slow down\"}}", "0", 0));
        script.add(Reply.json("{\"choices\":[{\"text\":\"ok\",\"finish_reason\":\"stop\"}]}"));
        Completion c = client("").complete(CompletionRequest.of("p", SamplingParams.GREEDY), TokenSink.NONE);
        assertEquals("ok", c.text());
        assertEquals(3, calls.get());
    }

    @Test
    void givesUpAfterBoundedRetriesWithTheLastProblemInTheMessage() {
        script.add(Reply.status(500, "{\"error\":{\"message\":\"boom\"}}"));
        CodellmException e = assertThrows(CodellmException.class,
                () -> client("").complete(CompletionRequest.of("p", SamplingParams.GREEDY), TokenSink.NONE));
        assertEquals(4, calls.get(), "1 attempt + 3 retries");
        assertTrue(e.getMessage().contains("4 attempt(s)") && e.getMessage().contains("HTTP 500: boom"), e.getMessage());
    }

    @Test
    void clientErrorsAreNotRetriedAndNameTheServersMessage() {
        script.add(Reply.status(401, "{\"error\":{\"message\":\"Incorrect API key provided\"}}"));
        CodellmException e = assertThrows(CodellmException.class,
                () -> client("").chat(ChatRequest.of(List.of(ChatMessage.user("x")), SamplingParams.GREEDY), TokenSink.NONE));
        assertEquals(1, calls.get());
        assertTrue(e.getMessage().contains("HTTP 401: Incorrect API key provided"), e.getMessage());
    }

    @Test
    void timeoutsAreRetriedThenReported() {
        script.add(new Reply(200, "application/json", "{\"choices\":[{\"text\":\"late\"}]}", null, 1500));
        OpenAiGenerator g = new OpenAiGenerator(client("").config()
                .withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(200))
                .withRetries(1, Duration.ofMillis(1), Duration.ofMillis(1)));
        CodellmException e = assertThrows(CodellmException.class,
                () -> g.complete(CompletionRequest.of("p", SamplingParams.GREEDY), TokenSink.NONE));
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        assertEquals(2, calls.get());
    }

    @Test
    void malformedJsonAndUnreachableEndpointGiveClearErrors() {
        script.add(Reply.json("{not json"));
        CodellmException bad = assertThrows(CodellmException.class,
                () -> client("").complete(CompletionRequest.of("p", SamplingParams.GREEDY), TokenSink.NONE));
        assertTrue(bad.getMessage().contains("malformed JSON"), bad.getMessage());

        int deadPort = server.getAddress().getPort();
        server.stop(0);
        OpenAiGenerator g = new OpenAiGenerator(OpenAiConfig.of("http://127.0.0.1:" + deadPort, "m")
                .withRetries(1, Duration.ofMillis(1), Duration.ofMillis(1)));
        CodellmException down = assertThrows(CodellmException.class,
                () -> g.complete(CompletionRequest.of("p", SamplingParams.GREEDY), TokenSink.NONE));
        assertTrue(down.getMessage().contains("2 attempt(s)") && down.getMessage().contains("I/O error"), down.getMessage());
    }

    /** Issue 21: a closed port was retried for 33 s (1+2+4+8+16 s of backoff) before eval could say so. */
    @Test
    void aClosedPortThatNeverAnsweredFailsInSeconds() {
        int deadPort = server.getAddress().getPort();
        server.stop(0);
        OpenAiGenerator g = new OpenAiGenerator(OpenAiConfig.of("http://127.0.0.1:" + deadPort, "m"));  // default retries: 5 from 1 s
        long t0 = System.nanoTime();
        CodellmException e = assertThrows(CodellmException.class,
                () -> g.complete(CompletionRequest.of("p", SamplingParams.GREEDY), TokenSink.NONE));
        double secs = (System.nanoTime() - t0) / 1e9;
        assertTrue(secs < 6, "took " + secs + " s");
        assertTrue(e.getMessage().contains("connection refused") && e.getMessage().contains("127.0.0.1:" + deadPort), e.getMessage());
    }

    /** A client error is the request's fault: callers must be able to tell it from a failing server, so they do not repeat it. */
    @Test
    void clientErrorsAreBadRequestsWithTheServersParam() {
        script.add(Reply.status(400, "{\"error\":{\"message\":\"The model `nope` does not exist\",\"code\":\"model_not_found\",\"param\":\"model\"}}"));
        CodellmException e = assertThrows(CodellmException.class,
                () -> client("").chat(ChatRequest.of(List.of(ChatMessage.user("x")), SamplingParams.GREEDY), TokenSink.NONE));
        assertInstanceOf(dev.codellm.core.BadRequestException.class, e);
        assertEquals("model", ((dev.codellm.core.BadRequestException) e).param());
        assertTrue(e.getMessage().contains("HTTP 400: The model `nope` does not exist"), e.getMessage());
        script.clear();
        script.add(Reply.status(503, "{\"error\":{\"message\":\"busy\"}}"));
        CodellmException busy = assertThrows(CodellmException.class,
                () -> client("").chat(ChatRequest.of(List.of(ChatMessage.user("x")), SamplingParams.GREEDY), TokenSink.NONE));
        assertFalse(busy instanceof dev.codellm.core.BadRequestException, "a server error is not the request's fault");
    }

    @Test
    void baseUrlNormalisationAndValidation() {
        assertEquals("http://h:1/v1", OpenAiConfig.normalizeBaseUrl("http://h:1").toString());
        assertEquals("http://h:1/v1", OpenAiConfig.normalizeBaseUrl("http://h:1/v1/chat/completions").toString());
        assertEquals("https://api.openai.com/v1", OpenAiConfig.normalizeBaseUrl("https://api.openai.com/v1/").toString());
        assertThrows(IllegalArgumentException.class, () -> OpenAiConfig.normalizeBaseUrl("localhost:8080"));
        assertThrows(IllegalArgumentException.class, () -> OpenAiConfig.of("http://h:1", " "));
    }
}
