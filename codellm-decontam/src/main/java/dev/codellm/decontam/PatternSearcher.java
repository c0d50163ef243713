package dev.codellm.decontam;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Finds many fixed patterns in a text, exactly, at a cost that does not grow with the number of
 * patterns.
 *
 * <p>Sampled anchors instead of a rolling hash: in a group whose patterns are all at least
 * {@code m} chars long, let {@code k = m / 2} and {@code a = m - k + 1}. Every pattern occurrence
 * at position {@code p} covers exactly one text position {@code q} that is a multiple of
 * {@code k} with {@code p <= q < p + k}, and {@code text[q, q + a)} is then the pattern's own
 * substring at offset {@code j = q - p}. So each pattern is indexed under its {@code k} substrings
 * of length {@code a}, and the text is hashed only every {@code k} chars. A hash is a dot product
 * with fixed powers (no loop-carried multiply, so the CPU overlaps the work), checked against a
 * bit filter, then a hash table, then the chars are compared, so every reported match is exact
 * and each occurrence is reported once.
 *
 * <p>Patterns at least {@code maxAnchor} long form one group ({@code m = maxAnchor}); shorter
 * ones a second group with {@code m} = the shortest of them. A text costs at most two scans.
 */
public final class PatternSearcher implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Group[] groups;

    /** @param owners {@code owners[i]} is reported when {@code patterns.get(i)} is found */
    public PatternSearcher(List<char[]> patterns, int[] owners, int maxAnchor) {
        if (patterns.size() != owners.length) throw new IllegalArgumentException("one owner per pattern");
        if (maxAnchor < 2) throw new IllegalArgumentException("anchor must be >= 2");
        List<Integer> longs = new ArrayList<>();
        List<Integer> shorts = new ArrayList<>();
        int minShort = Integer.MAX_VALUE;
        for (int i = 0; i < patterns.size(); i++) {
            int len = patterns.get(i).length;
            if (len == 0) throw new IllegalArgumentException("empty pattern");
            if (len >= maxAnchor) longs.add(i);
            else {
                shorts.add(i);
                minShort = Math.min(minShort, len);
            }
        }
        List<Group> gs = new ArrayList<>();
        if (!longs.isEmpty()) gs.add(new Group(maxAnchor, longs, patterns, owners));
        if (!shorts.isEmpty()) gs.add(new Group(minShort, shorts, patterns, owners));
        groups = gs.toArray(new Group[0]);
    }

    public int patternCount() {
        int n = 0;
        for (Group g : groups) n += g.patterns.length;
        return n;
    }

    /** Reports the owner of every pattern occurrence in {@code text[0, len)} (once per occurrence). */
    public void search(char[] text, int len, IntConsumer owners) {
        for (Group g : groups) g.search(text, len, owners);
    }

    private static final class Group implements Serializable {
        private static final long serialVersionUID = 1L;
        final int step;            // k
        final int anchor;          // a
        final int[] powers;        // hash weights, one per anchor char
        final int filterShift;
        final long[] filter;
        final int tableMask;
        final int[] keys;
        final int[] head;          // entry index + 1 of the first entry with this key, 0 = empty
        final int[] next;          // per entry: next entry index + 1 with the same key
        final int[] entryPattern;  // per entry: pattern index in this group
        final short[] entryOffset; // per entry: j, the anchor's offset inside the pattern
        final char[][] patterns;
        final int[] owners;

        Group(int minLen, List<Integer> members, List<char[]> all, int[] allOwners) {
            // A 12-char anchor of letters and digits is already very selective; a shorter anchor
            // means a longer step, i.e. fewer probes per text char (the cost that matters).
            if (minLen == 1) {
                step = 1;
                anchor = 1;
            } else {
                anchor = minLen >= 24 ? 12 : minLen - minLen / 2 + 1;
                step = minLen - anchor + 1;
            }
            powers = new int[anchor];
            int p = 1;
            for (int i = anchor - 1; i >= 0; i--) {
                powers[i] = p;
                p *= 0x01000193;
            }
            patterns = new char[members.size()][];
            owners = new int[members.size()];
            int entries = members.size() * step;
            int filterBits = Math.max(12, 64 - Long.numberOfLeadingZeros((long) entries * 32 - 1));
            filterBits = Math.min(filterBits, 21); // 256 KB: stays in L2, false positives are cheap to reject
            filterShift = 32 - filterBits;
            filter = new long[Math.max(1, (1 << filterBits) >>> 6)];
            int tableSize = Integer.highestOneBit(Math.max(16, entries * 2 - 1)) << 1;
            tableMask = tableSize - 1;
            keys = new int[tableSize];
            head = new int[tableSize];
            next = new int[entries];
            entryPattern = new int[entries];
            entryOffset = new short[entries];
            int e = 0;
            for (int m = 0; m < members.size(); m++) {
                patterns[m] = all.get(members.get(m));
                owners[m] = allOwners[members.get(m)];
                for (int j = 0; j < step; j++) {
                    int h = hash(patterns[m], j);
                    int mix = h * 0x9E3779B9;
                    int f = mix >>> filterShift;
                    filter[f >>> 6] |= 1L << f;
                    int slot = (mix ^ (mix >>> 16)) & tableMask;
                    while (head[slot] != 0 && keys[slot] != h) slot = (slot + 1) & tableMask;
                    keys[slot] = h;
                    entryPattern[e] = m;
                    entryOffset[e] = (short) j;
                    next[e] = head[slot];
                    head[slot] = e + 1;
                    e++;
                }
            }
        }

        private int hash(char[] s, int off) {
            int h = 0;
            final int[] pw = powers;
            for (int i = 0; i < pw.length; i++) h += s[off + i] * pw[i];
            return h;
        }

        void search(char[] text, int len, IntConsumer sink) {
            final int k = step, a = anchor, shift = filterShift;
            final long[] filter = this.filter;
            for (int q = 0; q + a <= len; q += k) {
                int h = hash(text, q);
                int mix = h * 0x9E3779B9;
                int f = mix >>> shift;
                if ((filter[f >>> 6] & (1L << f)) != 0) verify(h, mix, text, q, len, sink);
            }
        }

        private void verify(int h, int mix, char[] text, int q, int len, IntConsumer sink) {
            int slot = (mix ^ (mix >>> 16)) & tableMask;
            while (head[slot] != 0) {
                if (keys[slot] == h) {
                    for (int e = head[slot]; e != 0; e = next[e - 1]) {
                        char[] p = patterns[entryPattern[e - 1]];
                        int start = q - entryOffset[e - 1];
                        if (start >= 0 && start + p.length <= len
                                && Arrays.equals(text, start, start + p.length, p, 0, p.length)) {
                            sink.accept(owners[entryPattern[e - 1]]);
                        }
                    }
                    return;
                }
                slot = (slot + 1) & tableMask;
            }
        }
    }
}
