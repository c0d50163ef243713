package dev.codellm.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.codellm.core.SharedData;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.LlamaModel;
import org.junit.jupiter.api.Test;

/**
 * The pool hands out the idle cache sharing the longest prefix with a new prompt, and what it
 * computes from there equals a fresh cache's logits (to the engine's parity tolerance 1e-4); the
 * batched decode step over pooled caches equals one-at-a-time steps.
 */
class KvCachePoolTest {
    static final int[] STORY = {1, 403, 407, 261, 378};       // "Once upon a time"
    static final int[] OTHER = {1, 29, 350, 403};

    @Test
    void theIdleCacheWithTheLongestSharedPrefixIsReusedAndGivesFreshLogits() {
        try (GgufFile f = GgufFile.open(SharedData.require("models/stories260K/stories260K.gguf"));
             LlamaModel model = LlamaModel.load(f, 1)) {
            KvCachePool pool = new KvCachePool(model, 64, KvType.F32);
            KvCachePool.CachedSequence a = pool.acquire(STORY);
            a.prefill(STORY);
            KvCachePool.CachedSequence b = pool.acquire(OTHER);
            assertNotSame(a, b, "a cache in use is never handed out twice");
            b.prefill(OTHER);
            b.release();
            a.release();
            assertEquals(2, pool.idleCount());

            int[] next = {1, 403, 407, 261, 378, 29, 350};
            KvCachePool.CachedSequence reused = pool.acquire(next);
            assertSame(a, reused, "the story cache shares 5 tokens, the other only BOS");
            assertEquals(5, reused.cachedTokens());
            float[] logits = reused.prefill(java.util.Arrays.copyOfRange(next, 5, next.length));

            KvCachePool fresh = new KvCachePool(model, 64, KvType.F32);
            float[] expected = fresh.acquire(next).prefill(next);
            assertArrayEquals(expected, logits, 1e-4f);

            // the same prompt again reuses all but its last token, which is recomputed for its logits
            reused.release();
            KvCachePool.CachedSequence again = pool.acquire(next);
            assertEquals(next.length - 1, again.cachedTokens());
            assertArrayEquals(expected, again.prefill(new int[] {next[next.length - 1]}), 1e-4f);
        }
    }

    @Test
    void batchedDecodeOverPooledCachesEqualsOneAtATime() {
        try (GgufFile f = GgufFile.open(SharedData.require("models/stories260K/stories260K.gguf"));
             LlamaModel model = LlamaModel.load(f, 1)) {
            KvCachePool pool = new KvCachePool(model, 64, KvType.F32);
            KvCachePool.CachedSequence a = pool.acquire(STORY), b = pool.acquire(OTHER);
            a.prefill(STORY);
            b.prefill(OTHER);
            float[][] batched = pool.decode(new KvCachePool.CachedSequence[] {a, b}, new int[] {29, 378});
            assertEquals(STORY.length + 1, a.position());

            KvCachePool solo = new KvCachePool(model, 64, KvType.F32);
            KvCachePool.CachedSequence a1 = solo.acquire(STORY), b1 = solo.acquire(OTHER);
            a1.prefill(STORY);
            b1.prefill(OTHER);
            assertArrayEquals(a1.prefill(new int[] {29}), batched[0], 1e-4f);
            assertArrayEquals(b1.prefill(new int[] {378}), batched[1], 1e-4f);
        }
    }
}
