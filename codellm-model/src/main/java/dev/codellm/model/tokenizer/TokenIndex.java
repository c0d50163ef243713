package dev.codellm.model.tokenizer;

import java.util.Arrays;

/**
 * Finds a token id from a slice of bytes without allocating: an open-addressing hash table over
 * the tokens' byte strings. The encoders' inner loops look up every candidate merge here.
 */
final class TokenIndex {
    private final byte[][] keys;
    private final int[] ids;
    private final int mask;

    /** Indexes {@code texts[i] -> i}; where two entries are equal the lower id wins. Null entries are skipped. */
    TokenIndex(byte[][] texts) {
        int cap = Integer.highestOneBit(Math.max(4, texts.length * 2 - 1)) << 1;
        keys = new byte[cap][];
        ids = new int[cap];
        mask = cap - 1;
        for (int id = 0; id < texts.length; id++) {
            byte[] t = texts[id];
            if (t == null) continue;
            int slot = hash(t, 0, t.length) & mask;
            while (keys[slot] != null && !Arrays.equals(keys[slot], t)) slot = (slot + 1) & mask;
            if (keys[slot] == null) {
                keys[slot] = t;
                ids[slot] = id;
            }
        }
    }

    /** The id of the token whose bytes equal {@code buf[off, off+len)}, or -1. */
    int find(byte[] buf, int off, int len) {
        int slot = hash(buf, off, len) & mask;
        while (true) {
            byte[] k = keys[slot];
            if (k == null) return -1;
            if (k.length == len && Arrays.equals(k, 0, len, buf, off, off + len)) return ids[slot];
            slot = (slot + 1) & mask;
        }
    }

    int find(byte[] whole) { return find(whole, 0, whole.length); }

    private static int hash(byte[] b, int off, int len) {
        int h = 0x811c9dc5;
        for (int i = off; i < off + len; i++) h = (h ^ (b[i] & 0xff)) * 0x01000193;
        return h ^ (h >>> 16);
    }
}
