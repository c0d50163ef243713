package dev.codellm.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.CompletionRequest;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.SharedData;
import dev.codellm.core.TokenSink;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.kernels.NativeKernels;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.LlamaModel;
import dev.codellm.model.llama.ModelShape;
import dev.codellm.model.llama.SyntheticGguf;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prompt-lookup decoding ({@code --lookup N}) gives exactly the ids of plain decoding, token by
 * token: greedy and seeded sampling, on stories260K (real text, drafts often accepted) and on
 * random-weight Code Llama-vocabulary models of several weight types, with stop strings, at the end
 * of the context with and without context shift; and a cache rolled back past rejected drafts gives
 * the logits of one that never saw them.
 */
class LookupDecodingTest {
    static final Path STORIES = SharedData.require("models/stories260K/stories260K.gguf");
    static final String REPETITIVE = "Tom had a red ball. Tom had a red ball. Tom had a red ball. Tom had a";

    record Run(int[] ids, String text, String finish, LocalGenerator.DraftStats drafts) {}

    static Run run(LocalGenerator g, int lookup, String prompt, SamplingParams params) {
        g.setLookup(lookup);
        StringBuilder streamed = new StringBuilder();
        GenerationState s = g.generate(g.promptIds(CompletionRequest.of(prompt, params)), params, t -> {
            streamed.append(t);
            return true;
        });
        assertEquals(s.text(), streamed.toString(), "streamed text is the state's text");
        return new Run(s.generatedIds(), s.text(), s.finishReason().openAiName(), g.lastDraftStats());
    }

    static void assertSameAsPlain(LocalGenerator g, String prompt, SamplingParams params, int... lookups) {
        Run plain = run(g, 0, prompt, params);
        assertEquals(LocalGenerator.DraftStats.NONE, plain.drafts());
        for (int n : lookups) {
            Run r = run(g, n, prompt, params);
            String what = "--lookup " + n + " on '" + prompt + "'";
            assertArrayEquals(plain.ids(), r.ids(), what);
            assertEquals(plain.text(), r.text(), what);
            assertEquals(plain.finish(), r.finish(), what);
            assertTrue(r.drafts().accepted() <= r.drafts().drafted(), what);
        }
    }

    @Test
    void greedyAndSeededSamplingOnStoriesAreUnchanged() {
        try (LocalGenerator g = LocalGenerator.open(STORIES, new GeneratorOptions(512, "f16", null, null, 1))) {
            SamplingParams greedy = SamplingParams.GREEDY.withMaxTokens(200);
            for (String p : List.of("Once upon a time", "Lily and Tom went to the", REPETITIVE)) {
                assertSameAsPlain(g, p, greedy, 1, 3, 10);
            }
            Run r = run(g, 10, REPETITIVE, greedy);
            assertTrue(r.drafts().accepted() > 20, "the repeated sentence is drafted and accepted: " + r.drafts());
            // a draft only stands where the sampler itself picks the token: seeded sampling is unchanged too
            assertSameAsPlain(g, "Once upon a time", SamplingParams.GREEDY.withTemperature(0.8).withTopP(0.95).withSeed(7L).withMaxTokens(150), 4);
            assertSameAsPlain(g, REPETITIVE, greedy.withPenalties(1.3, 32, 0.2, 0.1), 4);
            // a stop string inside an accepted draft ends the answer where plain decoding ends it
            assertSameAsPlain(g, REPETITIVE, greedy.withStop(List.of("red ball. Tom")), 8);
            assertSameAsPlain(g, REPETITIVE, greedy.withMaxTokens(7), 10);
        }
    }

    @Test
    void theEndOfTheContextIsReachedAsWithoutDrafts() {
        SamplingParams greedy = SamplingParams.GREEDY.withMaxTokens(300);
        try (LocalGenerator cut = LocalGenerator.open(STORIES, new GeneratorOptions(64, "f16", null, null, 1));
             LocalGenerator shifting = LocalGenerator.open(STORIES,
                     new GeneratorOptions(64, "f16", null, null, 1).withContextShift(ContextShift.keeping(4)))) {
            assertSameAsPlain(cut, REPETITIVE, greedy, 4, 16);
            assertEquals("length", run(cut, 16, REPETITIVE, greedy).finish());
            assertSameAsPlain(shifting, REPETITIVE, greedy, 4, 16);
            assertEquals(300, run(shifting, 16, REPETITIVE, greedy).ids().length, "generation goes on past the context");
        }
    }

    @Test
    void syntheticCodeLlamaModelsOfEveryKernelFamilyAreUnchanged(@TempDir Path tmp) {
        String code = "def add(a, b):\n    return a + b\n\ndef add(a, b):\n    return a + b\n\ndef add(";
        for (GgmlType type : List.of(GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.F16)) {
            Path gguf = tmp.resolve(type + ".gguf");
            SyntheticGguf.write(gguf, ModelShape.TINY, type, 2, 11);
            try (LocalGenerator g = LocalGenerator.open(gguf, new GeneratorOptions(256, "f16", null, InfillFormat.PSM, 1))) {
                SamplingParams greedy = SamplingParams.GREEDY.withMaxTokens(60);
                assertSameAsPlain(g, code, greedy, 2, 8);
                assertSameAsPlain(g, "x = 1", greedy, 5);
                g.setLookup(8);
                g.complete(new CompletionRequest("def f(a):\n    ", "\n    return a\n", greedy), TokenSink.NONE); // infill runs too
            }
        }
    }

    /**
     * A cache that verified four drafted tokens and took back the last two holds exactly what a
     * cache fed the first two alone holds: the next token's logits are the same (bit for bit on the
     * native kernels, which compute every row of a batch as they compute one row alone).
     */
    @Test
    void rollingBackRejectedDraftsLeavesTheCacheAsIfTheyWereNeverFed(@TempDir Path tmp) {
        Path gguf = tmp.resolve("q4_0.gguf");
        SyntheticGguf.write(gguf, ModelShape.TINY, GgmlType.Q4_0, 2, 5);
        float tolerance = NativeKernels.enabled() ? 0f : 1e-4f;
        try (GgufFile f = GgufFile.open(gguf); LlamaModel model = LlamaModel.load(f, 1)) {
            int[] prompt = {1, 822, 788, 29898, 29874, 29892};
            int[] run = {289, 1125, 13, 1678};
            KvCachePool pool = new KvCachePool(model, 64, KvType.F16);
            KvCachePool.CachedSequence drafted = pool.acquire(prompt), plain = pool.acquire(prompt);
            drafted.prefill(prompt);
            plain.prefill(prompt);
            float[][] rows = pool.decodeRuns(new KvCachePool.CachedSequence[] {drafted}, new int[][] {run})[0];
            for (int j = 0; j < run.length; j++) {
                assertArrayEquals(plain.prefill(new int[] {run[j]}), rows[j], tolerance, "row " + j + " of the verification pass");
            }
            drafted.truncate(prompt.length + 2);
            assertEquals(prompt.length + 2, drafted.position());
            KvCachePool fresh = new KvCachePool(model, 64, KvType.F16);
            KvCachePool.CachedSequence again = fresh.acquire(prompt);
            again.prefill(prompt);
            again.prefill(new int[] {run[0]});
            again.prefill(new int[] {run[1]});
            assertArrayEquals(again.prefill(new int[] {29900}), drafted.prefill(new int[] {29900}), tolerance);
        }
    }
}
