package dev.codellm.server;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.SharedData;
import dev.codellm.model.generate.GeneratorOptions;
import dev.codellm.model.generate.LocalGenerator;
import dev.codellm.model.generate.TextEmbedder;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.LlamaModel;
import dev.codellm.model.tokenizer.Tokenizer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server on the real engine (stories260K): greedy answers of requests decoded together in
 * batched steps must equal what the generation module's LocalGenerator produces one request at a
 * time (a separate code path: single-sequence forward, no scheduler).
 */
class RealModelServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> PROMPTS = List.of("Once upon a time", "The little dog", "Lily and Ben went", "One day, a big");
    static Path gguf;
    static TestServer server;
    static EngineBatchBackend model;

    @BeforeAll
    static void start() {
        gguf = SharedData.require("models/stories260K/stories260K.gguf");
        model = EngineBatchBackend.open(gguf, new GeneratorOptions(512, "f32", null, null, 1));
        Metrics metrics = new Metrics();
        server = new TestServer(new BatchScheduler(model, 4, 16, metrics), ServerOptions.defaults(), metrics);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void concurrentGreedyRequestsMatchOneAtATimeGeneration() throws Exception {
        List<String> expected = new ArrayList<>();
        try (LocalGenerator reference = LocalGenerator.open(gguf, new GeneratorOptions(512, "f32", null, null, 1))) {
            for (String p : PROMPTS) {
                expected.add(reference.complete(CompletionRequest.of(p, SamplingParams.GREEDY.withMaxTokens(48)), t -> true).text());
            }
        }
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (String p : PROMPTS) {
            String body = "{\"prompt\": " + JSON.writeValueAsString(p) + ", \"max_tokens\": 48, \"temperature\": 0}";
            inFlight.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return server.post("/v1/completions", body);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        for (int i = 0; i < PROMPTS.size(); i++) {
            HttpResponse<String> r = inFlight.get(i).get();
            assertEquals(200, r.statusCode(), r.body());
            JsonNode c = JSON.readTree(r.body());
            assertEquals(expected.get(i), c.at("/choices/0/text").asText(), "prompt " + PROMPTS.get(i));
            assertEquals(48, c.at("/usage/completion_tokens").asInt());
        }
        assertTrue(server.metrics.decodeTokens() > server.metrics.decodeSteps(), "some steps decoded several requests");
    }

    /**
     * Chunked prefill on the real engine: a long prompt read 5 tokens a step while another stream
     * generates gives the same greedy answer as read in one chunk, and the stream too.
     */
    @Test
    void aPromptReadInChunksAlongsideAStreamAnswersAsReadWhole() throws Exception {
        String stream = "Once upon a time", text = String.join(" ", java.util.Collections.nCopies(6, "The little dog ran to the park with Lily and Ben."));
        List<String> answers = new ArrayList<>();
        for (int chunk : new int[] {256, 5}) {
            BatchScheduler s = new BatchScheduler(model, 2, 4, new Metrics(), chunk);
            try {
                BatchSchedulerTest.Recorder first = new BatchSchedulerTest.Recorder(), second = new BatchSchedulerTest.Recorder();
                int[] longIds = model.encode(text, true, false);
                assertTrue(longIds.length > 40, "a prompt of several chunks: " + longIds.length);
                JobListener submitsMidStream = new JobListener() {
                    int tokens;
                    @Override public void onToken(String t, TokenLogprob lp) {
                        first.onToken(t, lp);
                        if (++tokens == 2) s.submit(job(longIds, second));
                    }
                    @Override public void onFinish(dev.codellm.core.FinishReason r, int p, int c) { first.onFinish(r, p, c); }
                    @Override public void onError(RuntimeException e) { first.onError(e); }
                };
                s.submit(job(model.encode(stream, true, false), submitsMidStream));
                first.await();
                second.await();
                answers.add(first.text + " | " + second.text);
            } finally {
                s.drain(java.time.Duration.ZERO);
            }
        }
        assertEquals(answers.get(0), answers.get(1), "chunked and whole prompt, same greedy answers");
    }

    private static Job job(int[] prompt, JobListener listener) {
        return new Job(CompletionRequest.of("x", SamplingParams.GREEDY.withMaxTokens(40)), model.planner().plan(prompt), -1,
                System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60), listener);
    }

    @Test
    void aRepeatedPromptReusesTheCachedPrefixAndAnswersTheSame() throws Exception {
        String body = "{\"prompt\": \"Once upon a time, there was a dog\", \"max_tokens\": 24, \"temperature\": 0}";
        HttpResponse<String> first = server.post("/v1/completions", body);
        long cachedBefore = server.metrics.promptCacheTokens();
        HttpResponse<String> second = server.post("/v1/completions", body);
        assertEquals(200, second.statusCode(), second.body());
        assertTrue(server.metrics.promptCacheTokens() > cachedBefore, "the second request reused a cached prefix");
        assertEquals(JSON.readTree(first.body()).at("/choices/0/text").asText(), JSON.readTree(second.body()).at("/choices/0/text").asText());
    }

    @Test
    void tokenizeAndDetokenizeRoundTripWithTheModelsTokenizer() throws Exception {
        HttpResponse<String> r = server.post("/tokenize", "{\"content\": \"Once upon a time\"}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode tokens = JSON.readTree(r.body()).get("tokens");
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = tokens.get(i).asInt();
        assertArrayEquals(model.encode("Once upon a time", false, true), ids);
        HttpResponse<String> d = server.post("/detokenize", "{\"tokens\": " + tokens + "}");
        assertEquals("Once upon a time", JSON.readTree(d.body()).get("content").asText().strip());
        assertEquals(400, server.post("/detokenize", "{\"tokens\": [99999999]}").statusCode());
    }

    /** /v1/embeddings serves the model module's TextEmbedder (itself checked against llama-server's vectors). */
    @Test
    void embeddingsAreTheEnginesMeanPooledHiddenStates() throws Exception {
        HttpResponse<String> r = server.post("/v1/embeddings", "{\"input\": [\"Once upon a time\", \"Lily\"]}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode data = JSON.readTree(r.body()).get("data");
        try (GgufFile f = GgufFile.open(gguf); LlamaModel m = LlamaModel.load(f, 1)) {
            TextEmbedder reference = new TextEmbedder(m, Tokenizer.fromGguf(f), 512, KvType.F32);
            for (int i = 0; i < 2; i++) {
                float[] want = reference.embed(reference.tokens(i == 0 ? "Once upon a time" : "Lily"));
                JsonNode got = data.get(i).get("embedding");
                assertEquals(want.length, got.size());
                for (int j = 0; j < want.length; j++) assertEquals(want[j], got.get(j).floatValue(), 1e-5, "input " + i + " dim " + j);
            }
        }
    }

    @Test
    void infillOnAModelWithoutFimTokensIsAClear400() throws Exception {
        HttpResponse<String> r = server.post("/infill", "{\"input_prefix\": \"a\", \"input_suffix\": \"b\"}");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("fill-in-the-middle"), r.body());
    }

    @Test
    void chatTurnOrderErrorsAre400OnMessagesAndATrailingAssistantMessageIsContinued() throws Exception {
        HttpResponse<String> twoUsers = server.post("/v1/chat/completions",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"user\", \"content\": \"b\"}], \"max_tokens\": 4}");
        assertEquals(400, twoUsers.statusCode(), twoUsers.body());
        JsonNode error = JSON.readTree(twoUsers.body()).get("error");
        assertEquals("messages", error.get("param").asText());
        assertTrue(error.get("message").asText().contains("message 2 has role 'user' where 'assistant' was expected"), error.toString());

        List<dev.codellm.core.ChatMessage> primed = List.of(dev.codellm.core.ChatMessage.user("Tell me a story."),
                dev.codellm.core.ChatMessage.assistant("Once upon a time"));
        String expected;
        try (LocalGenerator reference = LocalGenerator.open(gguf, new GeneratorOptions(512, "f32", null, null, 1))) {
            expected = reference.chat(dev.codellm.core.ChatRequest.of(primed, SamplingParams.GREEDY.withMaxTokens(16)), t -> true).text();
        }
        HttpResponse<String> r = server.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"Tell me a story.\"}, "
                + "{\"role\": \"assistant\", \"content\": \"Once upon a time\"}], \"max_tokens\": 16, \"temperature\": 0}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(expected, JSON.readTree(r.body()).at("/choices/0/message/content").asText());
        assertTrue(expected.startsWith(","), "the answer continues the prefill: " + expected);
    }
}
