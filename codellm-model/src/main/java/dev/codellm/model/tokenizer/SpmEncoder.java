package dev.codellm.model.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * SentencePiece-style encoding as llama.cpp does it for {@code tokenizer.ggml.model = "llama"}:
 * spaces become '▁', the text is split into UTF-8 characters, and the adjacent pair whose merged
 * text is the highest-scoring token is merged first (ties: leftmost), until no pair forms a token.
 * Characters that never became a token are written as byte tokens {@code <0xXX>}.
 */
final class SpmEncoder {
    private static final byte[] ESCAPED_SPACE = "\u2581".getBytes(StandardCharsets.UTF_8);

    private final TokenIndex index;
    private final float[] scores;
    private final int[] tokenLength;
    private final boolean[] mergeable;
    private final int[] byteTokens;

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
        for (int i = 0; i < texts.length; i++) tokenLength[i] = texts[i] == null ? -1 : texts[i].length;
    }

    /** Appends the tokens of {@code text}; a leading space is added first when {@code prefixSpace}. */
    void encode(String text, boolean prefixSpace, IntList out) {
        byte[] buf = escape(text, prefixSpace);
        int n = 0;
        int[] start = new int[buf.length];
        int[] len = new int[buf.length];
        for (int off = 0; off < buf.length; ) {
            int l = Math.min(Utf8.sequenceLength(buf[off]), buf.length - off);
            start[n] = off;
            len[n] = l;
            n++;
            off += l;
        }
        if (n == 0) return;
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        BigramQueue queue = new BigramQueue();
        for (int i = 1; i < n; i++) tryAdd(queue, buf, start, len, i - 1, i);
        while (!queue.isEmpty()) {
            long key = queue.topKey();
            int token = queue.pop();
            int left = (int) key;
            int right = next[left];
            // Stale candidates: one side has since merged with something else.
            if (len[left] == 0 || right < 0 || len[left] + len[right] != tokenLength[token]) continue;
            len[left] += len[right];
            len[right] = 0;
            next[left] = next[right];
            if (next[right] >= 0) prev[next[right]] = left;
            if (prev[left] >= 0) tryAdd(queue, buf, start, len, prev[left], left);
            if (next[left] >= 0) tryAdd(queue, buf, start, len, left, next[left]);
        }
        for (int i = 0; i >= 0; i = next[i]) {
            int id = index.find(buf, start[i], len[i]);
            if (id >= 0) {
                out.add(id);
            } else {
                for (int j = start[i]; j < start[i] + len[i]; j++) out.add(byteTokens[buf[j] & 0xff]);
            }
        }
    }

    private void tryAdd(BigramQueue queue, byte[] buf, int[] start, int[] len, int left, int right) {
        int id = index.find(buf, start[left], len[left] + len[right]);
        if (id < 0 || !mergeable[id]) return;
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
