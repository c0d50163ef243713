package dev.codellm.decontam;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Finds many fixed patterns in a text in one pass per pattern-length group, with a Rabin-Karp
 * rolling hash: each window's hash is checked against a small bit filter (cache resident), then a
 * hash table, then the pattern chars are compared, so a reported match is always exact.
 *
 * <p>Patterns at least {@code maxAnchor} long are indexed by their first {@code maxAnchor} chars
 * (for the 50-char method, every pattern is exactly that long). Shorter patterns form a second
 * group indexed by a prefix as long as the shortest of them. So a text costs at most two passes,
 * whatever the number of patterns.
 */
public final class PatternSearcher implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final long BASE = 0x9E3779B97F4A7C15L | 1L;
    private static final long MIX = 0xD6E8FEB86659FD93L;

    private final Group[] groups;

    /** @param owners {@code owners[i]} is reported when {@code patterns.get(i)} is found */
    public PatternSearcher(List<char[]> patterns, int[] owners, int maxAnchor) {
        if (patterns.size() != owners.length) throw new IllegalArgumentException("one owner per pattern");
        int minShort = Integer.MAX_VALUE;
        int nLong = 0;
        for (char[] p : patterns) {
            if (p.length == 0) throw new IllegalArgumentException("empty pattern");
            if (p.length >= maxAnchor) nLong++;
            else minShort = Math.min(minShort, p.length);
        }
        Group longs = nLong > 0 ? new Group(maxAnchor, nLong) : null;
        Group shorts = nLong < patterns.size() ? new Group(minShort, patterns.size() - nLong) : null;
        for (int i = 0; i < patterns.size(); i++) {
            char[] p = patterns.get(i);
            (p.length >= maxAnchor ? longs : shorts).add(p, owners[i]);
        }
        groups = Arrays.stream(new Group[] {longs, shorts}).filter(g -> g != null).toArray(Group[]::new);
    }

    public int patternCount() {
        int n = 0;
        for (Group g : groups) n += g.size;
        return n;
    }

    /** Reports the owner of every pattern occurrence in {@code text[0, len)} (repeats possible). */
    public void search(char[] text, int len, IntConsumer owners) {
        for (Group g : groups) g.search(text, len, owners);
    }

    static long hash(char[] s, int off, int len) {
        long h = 0;
        for (int i = off; i < off + len; i++) h = h * BASE + s[i];
        return h;
    }

    private static final class Group implements Serializable {
        private static final long serialVersionUID = 1L;
        final int anchor;
        final long basePowAnchor;
        final int filterShift;
        final long[] filter;
        final int tableMask;
        final long[] keys;
        final int[] head;          // pattern index + 1 of the first pattern with this key, 0 = empty
        final int[] next;          // next pattern index + 1 with the same key
        final char[][] patterns;
        final int[] owners;
        int size;

        Group(int anchor, int capacity) {
            this.anchor = anchor;
            long p = 1;
            for (int i = 0; i < anchor; i++) p *= BASE;
            basePowAnchor = p;
            // ~32 filter bits per pattern keeps false positives near 3 %, and stays in L1/L2.
            int filterBits = Math.max(12, 64 - Long.numberOfLeadingZeros((long) capacity * 32 - 1));
            filterShift = 64 - filterBits;
            filter = new long[Math.max(1, (1 << filterBits) >>> 6)];
            int tableSize = Integer.highestOneBit(Math.max(16, capacity * 2 - 1)) << 1;
            tableMask = tableSize - 1;
            keys = new long[tableSize];
            head = new int[tableSize];
            next = new int[capacity];
            patterns = new char[capacity][];
            owners = new int[capacity];
        }

        void add(char[] pattern, int owner) {
            int idx = size++;
            patterns[idx] = pattern;
            owners[idx] = owner;
            long h = hash(pattern, 0, anchor);
            long m = h * MIX;
            int f = (int) (m >>> filterShift);
            filter[f >>> 6] |= 1L << f;
            int slot = (int) (m >>> 32) & tableMask;
            while (head[slot] != 0 && keys[slot] != h) slot = (slot + 1) & tableMask;
            keys[slot] = h;
            next[idx] = head[slot];
            head[slot] = idx + 1;
        }

        void search(char[] text, int len, IntConsumer sink) {
            final int a = anchor;
            if (len < a) return;
            final long[] filter = this.filter;
            final int shift = filterShift;
            final long bp = basePowAnchor;
            long h = hash(text, 0, a);
            int pos = 0;
            while (true) {
                long m = h * MIX;
                int f = (int) (m >>> shift);
                if ((filter[f >>> 6] & (1L << f)) != 0) verify(h, m, text, pos, len, sink);
                int in = pos + a;
                if (in >= len) break;
                h = h * BASE + text[in] - text[pos] * bp;
                pos++;
            }
        }

        private void verify(long h, long m, char[] text, int pos, int len, IntConsumer sink) {
            int slot = (int) (m >>> 32) & tableMask;
            while (head[slot] != 0) {
                if (keys[slot] == h) {
                    for (int i = head[slot]; i != 0; i = next[i - 1]) {
                        char[] p = patterns[i - 1];
                        if (pos + p.length <= len && Arrays.equals(text, pos, pos + p.length, p, 0, p.length)) {
                            sink.accept(owners[i - 1]);
                        }
                    }
                    return;
                }
                slot = (slot + 1) & tableMask;
            }
        }
    }
}
