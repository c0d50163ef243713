package dev.codellm.server;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.Completion;
import dev.codellm.core.CompletionRequest;
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
 * {@code serve --lookup N} on the real engine (stories260K, 3 slots decoding together, 96-token
 * slots with context shift): every answer equals plain one-at-a-time decoding, drafts of several
 * slots verified in one step; llama-server's {@code draft_n}/{@code draft_n_accepted} are in the
 * native endpoint's timings and the totals in /metrics.
 */
class LookupServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> PROMPTS = List.of(
            "Tom had a red ball. Tom had a red ball. Tom had a red ball. Tom had a",
            "Once upon a time",
            "Lily and Tom went to the");

    @Test
    void slotsWithLookupAnswerAsPlainDecodingAndReportTheirDrafts() throws Exception {
        Path gguf = SharedData.require("models/stories260K/stories260K.gguf");
        GeneratorOptions options = new GeneratorOptions(96, "f16", null, null, 1).withContextShift(ContextShift.keeping(4));
        int max = 120;
        List<String> expected = new ArrayList<>();
        try (LocalGenerator reference = LocalGenerator.open(gguf, options)) {
            for (String p : PROMPTS) expected.add(reference.complete(CompletionRequest.of(p, SamplingParams.GREEDY.withMaxTokens(max)), t -> true).text());
        }
        EngineBatchBackend model = EngineBatchBackend.open(gguf, options.withSlots(3));
        Metrics metrics = new Metrics();
        BatchScheduler scheduler = new BatchScheduler(model, 3, 8, metrics);
        scheduler.setLookup(6);
        try (TestServer server = new TestServer(scheduler, ServerOptions.defaults(), metrics)) {
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (String p : PROMPTS) {
                String b = "{\"prompt\": " + JSON.writeValueAsString(p) + ", \"max_tokens\": " + max + ", \"temperature\": 0}";
                inFlight.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return server.post("/v1/completions", b);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            for (int i = 0; i < PROMPTS.size(); i++) {
                HttpResponse<String> r = inFlight.get(i).get();
                assertEquals(200, r.statusCode(), r.body());
                assertEquals(expected.get(i), JSON.readTree(r.body()).at("/choices/0/text").asText(), "prompt " + PROMPTS.get(i));
            }
            assertTrue(metrics.acceptedDraftTokens() > 20, "drafts accepted: " + metrics.acceptedDraftTokens());
            assertTrue(metrics.acceptedDraftTokens() <= metrics.draftedTokens());

            long draftedBefore = metrics.draftedTokens(), acceptedBefore = metrics.acceptedDraftTokens();
            HttpResponse<String> nat = server.post("/completion", "{\"prompt\": " + JSON.writeValueAsString(PROMPTS.get(0))
                    + ", \"n_predict\": 40, \"temperature\": 0}");
            assertEquals(200, nat.statusCode(), nat.body());
            JsonNode t = JSON.readTree(nat.body()).get("timings");
            assertTrue(t.get("draft_n").asInt() > 0, t.toString());
            assertTrue(t.get("draft_n_accepted").asInt() > 0 && t.get("draft_n_accepted").asInt() <= t.get("draft_n").asInt(), t.toString());
            // the answer is sent when the job finishes, often inside a draft-verifying step: that
            // step's drafts must already be in it and in the totals (they once were counted after)
            assertEquals(metrics.draftedTokens() - draftedBefore, t.get("draft_n").asInt(), t.toString());
            assertEquals(metrics.acceptedDraftTokens() - acceptedBefore, t.get("draft_n_accepted").asInt(), t.toString());
            String m = server.get("/metrics").body();
            assertTrue(m.contains("codellm_draft_tokens_total " + metrics.draftedTokens()), m);
            assertTrue(m.contains("codellm_draft_accepted_tokens_total " + metrics.acceptedDraftTokens()), m);
        }
    }
}
