package dev.codellm.model.tokenizer;

import dev.codellm.core.IntList;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE as llama.cpp does it for {@code tokenizer.ggml.model = "gpt2"}: the text is split
 * into words by the pre-tokenizer, each word's UTF-8 bytes start as one symbol per byte, and the
 * adjacent pair with the lowest merge rank is merged first (ties: leftmost) until none applies.
 */
final class BpeEncoder {
    private final int[] byteTokens;
    private final PairTable merges;
    private final int[] tokenLength;
    private final PreTokenizer preTokenizer;
    private final TokenIndex wholeWords;
    /** Ids of recently seen short words: text repeats its words, merging each once is the big saving. */
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();
    private static final int CACHE_LIMIT = 100_000, CACHED_WORD_MAX = 48;

    /**
     * @param byteTokens  the token spelling each single byte (-1 where the vocabulary lacks it)
     * @param tokenLength the number of bytes each token stands for
     * @param wholeWords  when non-null, a word that is itself a token is emitted as is, without
     *                    merging (llama.cpp's ignore_merges, used by llama3-style vocabularies)
     */
    BpeEncoder(int[] byteTokens, PairTable merges, int[] tokenLength, PreTokenizer preTokenizer, TokenIndex wholeWords) {
        this.byteTokens = byteTokens;
        this.merges = merges;
        this.tokenLength = tokenLength;
        this.preTokenizer = preTokenizer;
        this.wholeWords = wholeWords;
    }

    void encode(String text, IntList out) {
        IntList cuts = preTokenizer.split(text);
        Work work = new Work();
        IntList scratch = new IntList(16);
        for (int w = 0; w + 1 < cuts.size(); w++) {
            String word = text.substring(cuts.get(w), cuts.get(w + 1));
            if (word.length() > CACHED_WORD_MAX) {
                encodeWord(word.getBytes(StandardCharsets.UTF_8), work, out);
                continue;
            }
            int[] ids = cache.get(word);
            if (ids == null) {
                scratch.clear();
                encodeWord(word.getBytes(StandardCharsets.UTF_8), work, scratch);
                ids = scratch.toArray();
                if (cache.size() >= CACHE_LIMIT) cache.clear();
                cache.put(word, ids);
            }
            for (int id : ids) out.add(id);
        }
    }

    private void encodeWord(byte[] word, Work work, IntList out) {
        int n = word.length;
        if (n == 0) return;
        if (wholeWords != null) {
            int id = wholeWords.find(word);
            if (id >= 0) {
                out.add(id);
                return;
            }
        }
        if (n == 1) {
            int id = byteTokens[word[0] & 0xff];
            if (id >= 0) out.add(id);
            return;
        }
        work.ensure(n);
        int[] id = work.id, len = work.len, prev = work.prev, next = work.next;
        for (int i = 0; i < n; i++) {
            id[i] = byteTokens[word[i] & 0xff];
            len[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        BigramQueue queue = work.queue;
        queue.clear();
        for (int i = 1; i < n; i++) tryAdd(queue, id, i - 1, i);
        while (!queue.isEmpty()) {
            int left = (int) queue.topKey();
            int merged = queue.pop();
            int right = next[left];
            // Stale candidates: one side has since merged with something else.
            if (len[left] == 0 || right < 0 || len[left] + len[right] != tokenLength[merged]) continue;
            len[left] += len[right];
            len[right] = 0;
            id[left] = merged;
            next[left] = next[right];
            if (next[right] >= 0) prev[next[right]] = left;
            if (prev[left] >= 0) tryAdd(queue, id, prev[left], left);
            if (next[left] >= 0) tryAdd(queue, id, left, next[left]);
        }
        for (int i = 0; i >= 0; i = next[i]) {
            if (id[i] >= 0) out.add(id[i]); // a byte missing from the vocabulary is dropped, as llama.cpp does
        }
    }

    private void tryAdd(BigramQueue queue, int[] id, int left, int right) {
        if (id[left] < 0 || id[right] < 0) return;
        long m = merges.get(id[left], id[right]);
        if (m < 0) return;
        queue.push((m >>> 32) << 32 | left, (int) m);
    }

    /** Per-call scratch arrays, grown to the longest word seen. */
    private static final class Work {
        int[] id = new int[64], len = new int[64], prev = new int[64], next = new int[64];
        final BigramQueue queue = new BigramQueue();

        void ensure(int n) {
            if (id.length >= n) return;
            int cap = Math.max(n, id.length * 2);
            id = new int[cap];
            len = new int[cap];
            prev = new int[cap];
            next = new int[cap];
        }
    }
}
