package dev.codellm.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.FinishReason;
import dev.codellm.core.ModelInfo;
import dev.codellm.core.SamplingParams;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.kernels.VecMath;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.LlamaModel;
import dev.codellm.model.llama.Session;
import dev.codellm.model.llama.TinyModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generation past the end of the context with {@code --context-shift}: the engine's greedy ids
 * equal those of recomputing from scratch, at every step, over the token sequence llama-server's
 * policy leaves (keep n_keep + BOS, drop the oldest half of the rest whenever the cache is full).
 * One layer, so a right KV shift is exact (see ContextShiftTest); without the shift the same run
 * ends with {@code length} at the end of the context.
 */
class ContextShiftGenerationTest {
    static final int CTX = 48, KEEP = 4, GENERATE = 120;
    private final FakeCodec codec = new FakeCodec();
    @TempDir Path dir;

    private static final SamplingParams GREEDY_NO_EOS = SamplingParams.GREEDY.withMaxTokens(GENERATE).withLogitBias(Map.of(2, -100.0));

    private LocalGenerator generator(LlamaModel m, ContextShift shift) {
        KvCachePool pool = new KvCachePool(m, CTX, KvType.F32);
        RequestPlanner planner = new RequestPlanner(codec, new ModelInfo("tiny", CTX, false, "llama2"), ChatTemplates.byName("llama2"),
                InfillFormat.PSM, shift);
        return new LocalGenerator(planner, n -> new EngineSequenceRunner(pool), null, "tiny");
    }

    private LlamaModel model(GgufFile f) {
        return LlamaModel.load(f, 2);
    }

    private Path gguf() {
        return TinyModels.write(dir.resolve("one.gguf"), GgmlType.F32, false, 1e4f, 11,
                new TinyModels.Shape(64, 1, 4, 2, 128, codec.vocabSize()), w -> { });
    }

    private int[] prompt() {
        int[] p = new SplittableRandom(5).ints(20, FakeCodec.FIRST_CHAR, codec.vocabSize()).toArray();
        p[0] = codec.bos();
        return p;
    }

    @Test
    void greedyIdsPastTheContextEqualFreshRunsOverTheShiftedTokens() throws Exception {
        try (GgufFile f = GgufFile.open(gguf()); LlamaModel m = model(f)) {
            GenerationState state = generator(m, ContextShift.keeping(KEEP)).generate(prompt(), GREEDY_NO_EOS, t -> true);
            assertEquals(FinishReason.LENGTH, state.finishReason());
            int[] ids = state.generatedIds();
            assertEquals(GENERATE, ids.length, "generation went on past the context of " + CTX);

            List<Integer> cache = new ArrayList<>();
            for (int t : prompt()) cache.add(t);
            int keep = KEEP + 1;  // n_keep plus the BOS, as llama-server
            int shifts = 0;
            for (int i = 0; i < GENERATE; i++) {
                Session fresh = m.newSession(CTX, KvType.F32);
                float[] logits = m.forward(fresh, cache.stream().mapToInt(Integer::intValue).toArray());
                logits[2] = Float.NEGATIVE_INFINITY;
                assertEquals(VecMath.argmax(logits), ids[i], "token " + i + " (after " + shifts + " shifts)");
                if (cache.size() >= CTX) {
                    int discard = (cache.size() - keep) / 2;
                    cache.subList(keep, keep + discard).clear();
                    shifts++;
                }
                cache.add(ids[i]);
            }
            assertTrue(shifts >= 3, "the run shifted " + shifts + " times");
        }
    }

    @Test
    void withoutContextShiftTheRunEndsWithLengthAtTheEndOfTheContext() throws Exception {
        try (GgufFile f = GgufFile.open(gguf()); LlamaModel m = model(f)) {
            GenerationState state = generator(m, ContextShift.OFF).generate(prompt(), GREEDY_NO_EOS, t -> true);
            assertEquals(FinishReason.LENGTH, state.finishReason());
            assertEquals(CTX - prompt().length, state.generatedTokens());
            int[] tooLong = new SplittableRandom(6).ints(CTX + 10, FakeCodec.FIRST_CHAR, codec.vocabSize()).toArray();
            assertThrows(PromptTooLongException.class, () -> generator(m, ContextShift.OFF).generate(tooLong, GREEDY_NO_EOS, t -> true));
        }
    }

    @Test
    void aPromptOverTheContextIsCutAsLlamaServerCutsIt() throws Exception {
        int[] p = new int[100];
        for (int i = 0; i < p.length; i++) p[i] = i;
        // block = (48 - 5) / 2 = 21; erased = (100 - 5 - 21) / 21 = 3 blocks: tokens 5..67 go
        int[] cut = ContextShift.truncate(p, 5, CTX);
        assertEquals(37, cut.length);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 68, 69}, java.util.Arrays.copyOf(cut, 7));
        assertEquals(99, cut[cut.length - 1]);
        assertTrue(ContextShift.truncate(p, 0, 101) == p, "a prompt that fits is left as it is");

        int[] longPrompt = new SplittableRandom(7).ints(100, FakeCodec.FIRST_CHAR, codec.vocabSize()).toArray();
        longPrompt[0] = codec.bos();
        try (GgufFile f = GgufFile.open(gguf()); LlamaModel m = model(f)) {
            PlannedPrompt planned = new RequestPlanner(codec, new ModelInfo("tiny", CTX, false, "llama2"), ChatTemplates.byName("llama2"),
                    InfillFormat.PSM, ContextShift.keeping(KEEP)).plan(longPrompt);
            assertTrue(planned.truncated());
            assertEquals(KEEP + 1, planned.shiftKeep());
            assertTrue(planned.promptIds().length < CTX);
            GenerationState state = generator(m, ContextShift.keeping(KEEP)).generate(longPrompt, GREEDY_NO_EOS.withMaxTokens(10), t -> true);
            assertEquals(10, state.generatedTokens());
            assertFalse(state.text().isEmpty());
        }
    }
}
