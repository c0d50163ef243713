package dev.codellm.server;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.Completion;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.SharedData;
import dev.codellm.model.generate.ContextShift;
import dev.codellm.model.generate.GeneratorOptions;
import dev.codellm.model.generate.LocalGenerator;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * What the server does at the end of the context, on the real engine (stories260K, 64-token
 * slots): without --context-shift a generation that fills its slot ends 200 with finish_reason
 * "length" (plain and streamed, never an error) and the metrics count it; with it generation goes
 * on to max_tokens, slots decoding together shift exactly where the one-at-a-time LocalGenerator
 * does (same text), and a prompt over the context is cut instead of refused.
 */
class ContextEndServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int CTX = 64;
    static final String PROMPT = "Once upon a time, there was a little girl named Lily.";
    static final String LONG_PROMPT = (PROMPT + " She liked to play in the park with her friend Ben. ").repeat(4);

    private static GeneratorOptions options(ContextShift shift) {
        return new GeneratorOptions(CTX, "f32", null, null, 1).withContextShift(shift);
    }

    private static TestServer server(Path gguf, ContextShift shift) {
        EngineBatchBackend model = EngineBatchBackend.open(gguf, options(shift).withSlots(2));
        // what `serve`'s /props reports as cache_type_k / cache_type_v (this test server is built from the info alone)
        assertEquals("f32", ServedModel.of(model, List.of()).kvCacheType());
        Metrics metrics = new Metrics();
        return new TestServer(new BatchScheduler(model, 2, 8, metrics), ServerOptions.defaults(), metrics);
    }

    private static String body(String prompt, int max, boolean stream) throws Exception {
        return "{\"prompt\": " + JSON.writeValueAsString(prompt) + ", \"max_tokens\": " + max + ", \"temperature\": 0, \"stream\": " + stream + "}";
    }

    @Test
    void withoutContextShiftAFullSlotEndsWithLengthNotAnError() throws Exception {
        Path gguf = SharedData.require("models/stories260K/stories260K.gguf");
        try (TestServer server = server(gguf, ContextShift.OFF)) {
            HttpResponse<String> r = server.post("/v1/completions", body(PROMPT, 500, false));
            assertEquals(200, r.statusCode(), r.body());
            JsonNode c = JSON.readTree(r.body());
            assertEquals("length", c.at("/choices/0/finish_reason").asText());
            int prompt = c.at("/usage/prompt_tokens").asInt(), completion = c.at("/usage/completion_tokens").asInt();
            assertEquals(CTX, prompt + completion, "generated up to the end of the context");
            assertEquals(1, server.metrics.contextFullEnds());

            HttpResponse<String> s = server.post("/v1/completions", body(PROMPT, 500, true));
            assertEquals(200, s.statusCode());
            assertFalse(s.body().contains("\"error\""), s.body());
            assertTrue(s.body().contains("\"finish_reason\":\"length\""), s.body());
            assertTrue(s.body().strip().endsWith("data: [DONE]"), s.body());

            HttpResponse<String> chat = server.post("/v1/chat/completions",
                    "{\"messages\": [{\"role\": \"user\", \"content\": \"Tell me a story\"}], \"max_tokens\": 500, \"temperature\": 0}");
            assertEquals(200, chat.statusCode(), chat.body());
            assertEquals("length", JSON.readTree(chat.body()).at("/choices/0/finish_reason").asText());

            // llama.cpp's native endpoint says so too, as llama-server: truncated
            HttpResponse<String> nat = server.post("/completion", "{\"prompt\": " + JSON.writeValueAsString(PROMPT) + ", \"n_predict\": -1, \"temperature\": 0}");
            assertEquals(200, nat.statusCode(), nat.body());
            assertTrue(JSON.readTree(nat.body()).get("truncated").asBoolean(), nat.body());
            assertEquals("limit", JSON.readTree(nat.body()).get("stop_type").asText());
            HttpResponse<String> shortOne = server.post("/completion", "{\"prompt\": \"Once\", \"n_predict\": 4, \"temperature\": 0}");
            assertFalse(JSON.readTree(shortOne.body()).get("truncated").asBoolean(), shortOne.body());

            HttpResponse<String> tooLong = server.post("/v1/completions", body(LONG_PROMPT, 8, false));
            assertEquals(400, tooLong.statusCode(), tooLong.body());
            assertEquals("context_length_exceeded", JSON.readTree(tooLong.body()).at("/error/code").asText());
            StringBuilder ids = new StringBuilder("[1");
            for (int i = 0; i < 3 * CTX; i++) ids.append(", ").append(300 + i % 100);
            HttpResponse<String> idPrompt = server.post("/completion", "{\"prompt\": " + ids + "], \"n_predict\": 4}");
            assertEquals(400, idPrompt.statusCode(), idPrompt.body());
            assertEquals("context_length_exceeded", JSON.readTree(idPrompt.body()).at("/error/code").asText());
        }
    }

    @Test
    void withContextShiftSlotsGoOnPastTheContextAsLocalGenerationDoes() throws Exception {
        Path gguf = SharedData.require("models/stories260K/stories260K.gguf");
        ContextShift shift = ContextShift.keeping(4);
        List<String> prompts = List.of(PROMPT, "The little dog ran to the park and");
        int max = 150;
        List<String> expected = new ArrayList<>();
        try (LocalGenerator reference = LocalGenerator.open(gguf, options(shift))) {
            for (String p : prompts) {
                Completion c = reference.complete(CompletionRequest.of(p, SamplingParams.GREEDY.withMaxTokens(max)), t -> true);
                assertEquals(max, c.usage().completionTokens(), "the local run went on past the context");
                expected.add(c.text());
            }
        }
        try (TestServer server = server(gguf, shift)) {
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (String p : prompts) {
                String b = body(p, max, false);
                inFlight.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return server.post("/v1/completions", b);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            for (int i = 0; i < prompts.size(); i++) {
                HttpResponse<String> r = inFlight.get(i).get();
                assertEquals(200, r.statusCode(), r.body());
                JsonNode c = JSON.readTree(r.body());
                assertEquals(max, c.at("/usage/completion_tokens").asInt());
                assertEquals("length", c.at("/choices/0/finish_reason").asText());
                assertEquals(expected.get(i), c.at("/choices/0/text").asText(), "prompt " + prompts.get(i));
            }
            assertTrue(server.metrics.contextShifts() >= 2 * 3, "shifts: " + server.metrics.contextShifts());
            assertEquals(0, server.metrics.contextFullEnds());

            HttpResponse<String> cut = server.post("/v1/completions", body(LONG_PROMPT, 8, false));
            assertEquals(200, cut.statusCode(), cut.body());
            JsonNode c = JSON.readTree(cut.body());
            assertTrue(c.at("/usage/prompt_tokens").asInt() < CTX, "the prompt was cut to fit: " + c.at("/usage"));
            assertEquals(8, c.at("/usage/completion_tokens").asInt());
            assertTrue(server.get("/metrics").body().contains("codellm_context_shifts_total "));
            HttpResponse<String> nat = server.post("/completion", "{\"prompt\": " + JSON.writeValueAsString(LONG_PROMPT) + ", \"n_predict\": 4, \"temperature\": 0}");
            assertEquals(200, nat.statusCode(), nat.body());
            assertTrue(JSON.readTree(nat.body()).get("truncated").asBoolean(), "a cut prompt is truncated: " + nat.body());
            // a request's own n_keep (llama-server) / num_keep (ollama) replaces --keep: the cut follows it
            JsonNode tok = JSON.readTree(server.post("/tokenize", "{\"content\": " + JSON.writeValueAsString(LONG_PROMPT)
                    + ", \"add_special\": true}").body()).get("tokens");
            int[] longIds = new int[tok.size()];
            for (int i = 0; i < longIds.length; i++) longIds[i] = tok.get(i).asInt();
            for (int nKeep : new int[] {0, 40}) {
                HttpResponse<String> kept = server.post("/completion", "{\"prompt\": " + JSON.writeValueAsString(LONG_PROMPT)
                        + ", \"n_keep\": " + nKeep + ", \"n_predict\": 2, \"temperature\": 0}");
                assertEquals(200, kept.statusCode(), kept.body());
                assertEquals(ContextShift.truncate(longIds, nKeep + 1, CTX).length, JSON.readTree(kept.body()).get("tokens_evaluated").asInt(),
                        "n_keep " + nKeep);
            }
            assertNotEquals(ContextShift.truncate(longIds, 1, CTX).length, ContextShift.truncate(longIds, 41, CTX).length,
                    "the two n_keep values cut differently");
            HttpResponse<String> ollama = server.post("/api/generate", "{\"model\": \"x\", \"prompt\": " + JSON.writeValueAsString(LONG_PROMPT)
                    + ", \"raw\": true, \"stream\": false, \"options\": {\"num_keep\": 40, \"num_predict\": 2, \"temperature\": 0}}");
            assertEquals(200, ollama.statusCode(), ollama.body());
            assertEquals(ContextShift.truncate(longIds, 41, CTX).length, JSON.readTree(ollama.body()).get("prompt_eval_count").asInt());

            // a token-id prompt over the context is cut too (llama.vim and llama.vscode send ids)
            StringBuilder ids = new StringBuilder("[1");
            for (int i = 0; i < 3 * CTX; i++) ids.append(", ").append(300 + i % 100);
            HttpResponse<String> idPrompt = server.post("/completion", "{\"prompt\": " + ids + "], \"n_predict\": 4, \"temperature\": 0}");
            assertEquals(200, idPrompt.statusCode(), idPrompt.body());
            assertTrue(JSON.readTree(idPrompt.body()).get("tokens_evaluated").asInt() < CTX, idPrompt.body());
        }
    }
}
