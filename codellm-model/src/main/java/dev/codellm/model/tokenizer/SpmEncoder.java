package dev.codellm.model.tokenizer;

import dev.codellm.core.IntList;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SentencePiece-style encoding as llama.cpp does it for {@code tokenizer.ggml.model = "llama"}:
 * spaces become '▁', the text is split into UTF-8 characters, and the adjacent pair whose merged
 * text is the highest-scoring token is merged first (ties: leftmost), until no pair forms a token.
 * Characters that never became a token are written as byte tokens {@code <0xXX>}.
 *
 * <p>For speed on long texts the work is cut into independent runs: between two adjacent
 * characters that appear next to each other in no token, no merge can ever happen, so each run
 * merges on its own (small) queue with exactly the result of one queue over the whole text. And
 * candidate merges are looked up by the ids of the two symbols, not by hashing their text.
 */
final class SpmEncoder {
    private static final byte[] ESCAPED_SPACE = "\u2581".getBytes(StandardCharsets.UTF_8);

    private final TokenIndex index;
    private final float[] scores;
    private final int[] tokenLength;
    private final boolean[] mergeable;
    private final int[] byteTokens;
    private final PairTable joinablePairs;
    /** (left token, right token) -> the mergeable token spelled by both, for every way to split each token. */
    private final PairTable merges;
    /** The token spelling each BMP character alone (-1: none), so single characters need no hashing. */
    private final int[] charToken = new int[0x10000];
    /** Ids of recently seen short runs (mostly single words): text repeats itself, merging each once saves most work. */
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();
    private static final int CACHE_LIMIT = 100_000, CACHED_RUN_MAX_BYTES = 64;

    /**
     * @param mergeable which tokens pairs may merge into. llama.cpp lets any token form; we leave
     *                  out control, unknown, byte and unused tokens so that plain text such as
     *                  "</s>" or "<0x41>" never turns into a control or byte token (as in SentencePiece).
     * @param byteTokens the token for each byte value, for byte fallback
     */
    SpmEncoder(TokenIndex index, byte[][] texts, float[] scores, boolean[] mergeable, int[] byteTokens) {
        this.index = index;
        this.scores = scores;
        this.mergeable = mergeable;
        this.byteTokens = byteTokens;
        this.tokenLength = new int[texts.length];
        this.joinablePairs = new PairTable(texts.length * 4);
        this.merges = new PairTable(texts.length * 4);
        java.util.Arrays.fill(charToken, -1);
        for (int i = texts.length - 1; i >= 0; i--) { // lowest id wins, as in TokenIndex
            byte[] t = texts[i];
            if (t == null || t.length == 0 || Utf8.sequenceLength(t[0]) != t.length) continue;
            int cp = Utf8.decode(t, 0, t.length);
            if (cp < charToken.length) charToken[cp] = i;
        }
        for (int i = 0; i < texts.length; i++) {
            byte[] t = texts[i];
            tokenLength[i] = t == null ? -1 : t.length;
            if (!mergeable[i] || t == null) continue;
            int prevCp = -1;
            for (int off = 0; off < t.length; ) {
                int l = Math.min(Utf8.sequenceLength(t[off]), t.length - off);
                int cp = Utf8.decode(t, off, l);
                if (off > 0) {
                    joinablePairs.putIfAbsent(prevCp, cp, 0);
                    int left = index.find(t, 0, off), right = index.find(t, off, t.length - off);
                    if (left >= 0 && right >= 0) merges.putIfAbsent(left, right, i);
                }
                prevCp = cp;
                off += l;
            }
        }
    }

    /** Appends the tokens of {@code text}; a leading space is added first when {@code prefixSpace}. */
    void encode(String text, boolean prefixSpace, IntList out) {
        byte[] buf = escape(text, prefixSpace);
        int n = 0;
        int[] start = new int[buf.length];
        int[] len = new int[buf.length];
        int[] codePoint = new int[buf.length];
        for (int off = 0; off < buf.length; ) {
            int l = Math.min(Utf8.sequenceLength(buf[off]), buf.length - off);
            start[n] = off;
            len[n] = l;
            codePoint[n] = Utf8.decode(buf, off, l);
            n++;
            off += l;
        }
        int[] prev = new int[n];
        int[] next = new int[n];
        int[] token = new int[n];
        for (int i = 0; i < n; i++) token[i] = codePoint[i] < charToken.length ? charToken[codePoint[i]] : index.find(buf, start[i], len[i]);
        Symbols s = new Symbols(buf, start, len, prev, next, token);
        BigramQueue queue = new BigramQueue();
        IntList scratch = new IntList(16);
        int runStart = 0;
        for (int i = 1; i <= n; i++) {
            if (i == n || !joinablePairs.contains(codePoint[i - 1], codePoint[i])) {
                int bytes = start[i - 1] + len[i - 1] - start[runStart];
                if (bytes > CACHED_RUN_MAX_BYTES) {
                    mergeRun(s, runStart, i, queue, out);
                } else {
                    String key = new String(buf, start[runStart], bytes, StandardCharsets.ISO_8859_1); // bytes 1:1
                    int[] ids = cache.get(key);
                    if (ids == null) {
                        scratch.clear();
                        mergeRun(s, runStart, i, queue, scratch);
                        ids = scratch.toArray();
                        if (cache.size() >= CACHE_LIMIT) cache.clear();
                        cache.put(key, ids);
                    }
                    for (int id : ids) out.add(id);
                }
                runStart = i;
            }
        }
    }

    /** The text as a chain of symbols: bytes {@code [start, start+len)}, the token they spell (or -1). */
    private record Symbols(byte[] buf, int[] start, int[] len, int[] prev, int[] next, int[] token) {}

    /** Merges symbols {@code [from, to)} as far as the vocabulary allows and appends their tokens. */
    private void mergeRun(Symbols s, int from, int to, BigramQueue queue, IntList out) {
        int[] len = s.len(), prev = s.prev(), next = s.next(), token = s.token();
        for (int i = from; i < to; i++) {
            prev[i] = i - 1 >= from ? i - 1 : -1;
            next[i] = i + 1 < to ? i + 1 : -1;
        }
        queue.clear();
        for (int i = from + 1; i < to; i++) tryAdd(queue, s, i - 1, i);
        while (!queue.isEmpty()) {
            long key = queue.topKey();
            int merged = queue.pop();
            int left = (int) key;
            int right = next[left];
            // Stale candidates: one side has since merged with something else.
            if (len[left] == 0 || right < 0 || len[left] + len[right] != tokenLength[merged]) continue;
            len[left] += len[right];
            len[right] = 0;
            token[left] = merged;
            next[left] = next[right];
            if (next[right] >= 0) prev[next[right]] = left;
            if (prev[left] >= 0) tryAdd(queue, s, prev[left], left);
            if (next[left] >= 0) tryAdd(queue, s, left, next[left]);
        }
        for (int i = from; i >= 0; i = next[i]) {
            if (token[i] >= 0) {
                out.add(token[i]);
            } else {
                for (int j = s.start()[i]; j < s.start()[i] + len[i]; j++) out.add(byteTokens[s.buf()[j] & 0xff]);
            }
        }
    }

    private void tryAdd(BigramQueue queue, Symbols s, int left, int right) {
        int l = s.token()[left], r = s.token()[right];
        int id;
        if (l >= 0 && r >= 0) {
            long m = merges.get(l, r);
            if (m < 0) return;
            id = (int) m;
        } else { // a character that is no token: only its text can tell
            id = index.find(s.buf(), s.start()[left], s.len()[left] + s.len()[right]);
            if (id < 0 || !mergeable[id]) return;
        }
        queue.push((long) descending(scores[id]) << 32 | left, id);
    }

    /** An unsigned 32-bit key that sorts higher scores first. */
    private static int descending(float score) {
        int bits = Float.floatToIntBits(score);
        int ordered = bits ^ ((bits >> 31) & 0x7fffffff); // signed ints in float order
        return ~(ordered ^ 0x80000000);                      // unsigned, reversed
    }

    private static byte[] escape(String text, boolean prefixSpace) {
        byte[] raw = ((prefixSpace ? " " : "") + text).getBytes(StandardCharsets.UTF_8);
        int spaces = 0;
        for (byte b : raw) if (b == ' ') spaces++;
        if (spaces == 0) return raw;
        byte[] out = new byte[raw.length + spaces * (ESCAPED_SPACE.length - 1)];
        int o = 0;
        for (byte b : raw) {
            if (b == ' ') {
                System.arraycopy(ESCAPED_SPACE, 0, out, o, ESCAPED_SPACE.length);
                o += ESCAPED_SPACE.length;
            } else {
                out[o++] = b;
            }
        }
        return out;
    }
}
