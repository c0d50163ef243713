package dev.codellm.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.ChatMessage;
import dev.codellm.core.ChatRequest;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Completion;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.FinishReason;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end through {@link LocalGenerator#open}: GGUF → tokenizer → engine → sampler → text, checked
 * against llama2.c's own outputs for stories260K (shared/models/stories260K/golden, see SOURCE.md).
 */
class RealModelGenerationTest {
    private static LocalGenerator stories;
    private static Path golden;

    @BeforeAll
    static void open() {
        Path dir = SharedData.require("models/stories260K");
        golden = dir.resolve("golden");
        stories = LocalGenerator.open(dir.resolve("stories260K.gguf"), new GeneratorOptions(512, "f32", null, null, 1));
    }

    @AfterAll
    static void close() {
        stories.close();
    }

    private static String golden(String name) throws Exception {
        return Files.readString(golden.resolve(name));
    }

    /**
     * run.c's "-n 64 -i PROMPT" runs the forward pass at positions 0..63 and samples from the last
     * prompt position on: 64 - promptLength + 1 generated tokens; it prints the prompt's text, the
     * generated text and a final newline.
     */
    @Test
    void greedyCompletionMatchesLlama2c() throws Exception {
        for (String[] c : new String[][] {
                {"Once upon a time", "greedy_n64_once_upon_a_time.txt"},
                {"Lily and Tom went to the", "greedy_n64_lily_and_tom.txt"}}) {
            int[] prompt = stories.promptIds(CompletionRequest.of(c[0], SamplingParams.GREEDY));
            StringBuilder streamed = new StringBuilder();
            Completion out = stories.complete(CompletionRequest.of(c[0], SamplingParams.GREEDY.withMaxTokens(64 - prompt.length + 1)),
                    t -> { streamed.append(t); return true; });
            assertEquals(golden(c[1]), c[0] + out.text() + "\n", c[0]);
            assertEquals(out.text(), streamed.toString());
            assertEquals(FinishReason.LENGTH, out.finishReason());
            assertEquals(prompt.length, out.usage().promptTokens());
            assertEquals(64 - prompt.length + 1, out.usage().completionTokens());
        }
        assertArrayEquals(new int[] {1, 403, 407, 261, 378}, stories.promptIds(CompletionRequest.of("Once upon a time", null)));
    }

    /**
     * run.c with no prompt feeds BOS alone, samples at all 256 positions and, after BOS, prints the
     * first piece without its leading space.
     */
    @Test
    void greedyFromBosAloneMatchesLlama2cDefaultSample() throws Exception {
        Completion out = stories.complete(CompletionRequest.of("", SamplingParams.GREEDY.withMaxTokens(256)), t -> true);
        assertTrue(out.text().startsWith(" Once"), out.text());
        assertEquals(golden("greedy_default_prompt.txt"), out.text().substring(1) + "\n");
    }

    @Test
    void stopStringEndsTheCompletionBeforeIt() {
        Completion out = stories.complete(CompletionRequest.of("Once upon a time",
                SamplingParams.GREEDY.withMaxTokens(60).withStop(List.of("Lily."))), t -> true);
        assertEquals(", there was a little girl named ", out.text());
        assertEquals(FinishReason.STOP, out.finishReason());
    }

    @Test
    void seededSamplingIsReproducibleAndSeedDependent() {
        SamplingParams p = SamplingParams.GREEDY.withTemperature(1.0).withTopP(0.9).withMaxTokens(40);
        String a = stories.complete(CompletionRequest.of("Once upon a time", p.withSeed(1234L)), t -> true).text();
        String b = stories.complete(CompletionRequest.of("Once upon a time", p.withSeed(1234L)), t -> true).text();
        String c = stories.complete(CompletionRequest.of("Once upon a time", p.withSeed(99L)), t -> true).text();
        assertEquals(a, b);
        assertFalse(a.equals(c), "different seeds gave the same 40 tokens: " + a);
    }

    @Test
    void promptLongerThanContextIsAClearError() {
        String longPrompt = "Once upon a time ".repeat(200);
        var e = assertThrows(CodellmException.class, () -> stories.complete(CompletionRequest.of(longPrompt, SamplingParams.GREEDY), t -> true));
        assertTrue(e.getMessage().matches("prompt is \\d+ tokens but the context holds 512 .*"), e.getMessage());
    }

    @Test
    void chatRunsOnTheLlama2TemplateAndInfillNeedsFimTokens() {
        Completion c = stories.chat(ChatRequest.of(List.of(ChatMessage.user("Tell me a story.")), SamplingParams.GREEDY.withMaxTokens(8)), t -> true);
        assertEquals(FinishReason.LENGTH, c.finishReason());
        assertEquals(8, c.usage().completionTokens());
        assertEquals("llama2", stories.info().chatTemplate());
        assertFalse(stories.info().supportsInfill());
        var e = assertThrows(CodellmException.class, () -> stories.complete(new CompletionRequest("a", "b", SamplingParams.GREEDY), t -> true));
        assertTrue(e.getMessage().contains("cannot infill"), e.getMessage());
    }

    /** The random-weight Llama-2 fixture has the full 32000-token vocabulary; output is gibberish but must be reproducible. */
    @Test
    void tinyRandomLlamaSeededSamplingIsReproducible() {
        Path f = SharedData.require("models/llama-2-tiny-random/llama-2-tiny-random.gguf");
        SamplingParams p = SamplingParams.GREEDY.withTemperature(0.8).withTopK(40).withTopP(0.95).withMinP(0.05)
                .withPenalties(1.1, 64, 0.1, 0.1).withMaxTokens(24).withSeed(7L);
        String[] texts = new String[2];
        int[][] ids = new int[2][];
        for (int i = 0; i < 2; i++) {
            try (LocalGenerator g = LocalGenerator.open(f, new GeneratorOptions(256, "f16", null, null, 1))) {
                int[] prompt = g.promptIds(CompletionRequest.of("def fibonacci(n):", p));
                GenerationState s = g.generate(prompt, p, t -> true);
                ids[i] = s.generatedIds();
                texts[i] = s.text();
            }
        }
        assertArrayEquals(ids[0], ids[1]);
        assertEquals(texts[0], texts[1]);
        assertTrue(ids[0].length > 0, Arrays.toString(ids[0]));
    }
}
