package dev.codellm.decontam;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Word n-gram overlap (GPT-3 style, 13-grams by default). Tokens are maximal runs of letters,
 * digits and underscore, lowercased, so whitespace and symbols do not matter. A record matches a
 * benchmark item when it contains at least {@code threshold} of the item's distinct n-grams
 * (a fraction; a tiny value such as 0.0001 means "any shared n-gram"). N-grams are hashed to
 * 64 bits; items with fewer than n tokens are not used (reported).
 */
public final class NgramMethod implements Method {
    private static final long serialVersionUID = 1L;
    private static final long P = 0x100000001B3L * 31 + 7;

    private final TaskLabels tasks;
    private final int n;
    private final double threshold;
    private final long[] keys;        // open addressing: n-gram hash -> postings index
    private final int[] postingIndex; // 0 = empty, else index+1 into postings
    private final int mask;
    private final int[][] postings;   // item ids per n-gram
    private final int[] itemOwner;
    private final int[] itemNeed;     // n-grams an item needs to be matched
    private final int itemsUsed;
    private final int itemsTooShort;

    public NgramMethod(List<BenchmarkItem> items, int n, double threshold) {
        if (n < 1) throw new IllegalArgumentException("n-gram size must be >= 1, got " + n);
        if (!(threshold > 0 && threshold <= 1)) throw new IllegalArgumentException("n-gram threshold must be in (0, 1], got " + threshold);
        this.tasks = new TaskLabels(items);
        this.n = n;
        this.threshold = threshold;
        Map<Long, List<Integer>> byHash = new HashMap<>();
        List<Integer> owners = new ArrayList<>();
        List<Integer> need = new ArrayList<>();
        int tooShort = 0;
        for (BenchmarkItem item : items) {
            char[] t = item.text().toCharArray();
            java.util.Set<Long> distinct = new java.util.HashSet<>();
            new Tokenizer(n).feed(t, 0, t.length, distinct::add);
            if (distinct.isEmpty()) {
                tooShort++;
                continue;
            }
            int id = owners.size();
            owners.add(tasks.of(item));
            need.add(Math.max(1, (int) Math.ceil(threshold * distinct.size() - 1e-9)));
            for (long h : distinct) byHash.computeIfAbsent(h, k -> new ArrayList<>()).add(id);
        }
        itemsUsed = owners.size();
        itemsTooShort = tooShort;
        itemOwner = owners.stream().mapToInt(Integer::intValue).toArray();
        itemNeed = need.stream().mapToInt(Integer::intValue).toArray();
        int size = Integer.highestOneBit(Math.max(16, byHash.size() * 2)) << 1;
        mask = size - 1;
        keys = new long[size];
        postingIndex = new int[size];
        postings = new int[byHash.size()][];
        int p = 0;
        for (Map.Entry<Long, List<Integer>> e : byHash.entrySet()) {
            int slot = slot(e.getKey());
            while (postingIndex[slot] != 0) slot = (slot + 1) & mask;
            keys[slot] = e.getKey();
            postings[p] = e.getValue().stream().mapToInt(Integer::intValue).toArray();
            postingIndex[slot] = ++p;
        }
    }

    private int slot(long h) {
        return (int) ((h * 0x9E3779B97F4A7C15L) >>> 40) & mask;
    }

    /** Postings index + 1 for an n-gram hash, 0 if no benchmark item has it. */
    private int lookup(long h) {
        int slot = slot(h);
        while (postingIndex[slot] != 0) {
            if (keys[slot] == h) return postingIndex[slot];
            slot = (slot + 1) & mask;
        }
        return 0;
    }

    @Override public String name() { return "ngram"; }

    @Override public TaskLabels tasks() { return tasks; }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", n);
        m.put("threshold", threshold);
        m.put("items_used", itemsUsed);
        m.put("items_skipped_too_short", itemsTooShort);
        m.put("distinct_ngrams", postings.length);
        return m;
    }

    @Override
    public Scanner newScanner() {
        return new NgramScanner();
    }

    /** Turns text into rolling n-gram hashes of lowercased word tokens. */
    static final class Tokenizer {
        private final int n;
        private final long[] ring;
        private final long pn;
        Tokenizer(int n) {
            this.n = n;
            this.ring = new long[n];
            long p = 1;
            for (int i = 0; i < n; i++) p *= P;
            this.pn = p;
        }

        /** Calls {@code out} with the hash of every n-gram in the text (n-grams do not cross calls). */
        void feed(char[] t, int off, int len, LongConsumer out) {
            int count = 0;
            long h = 0;
            int end = off + len;
            int i = off;
            while (i < end) {
                while (i < end && !Normalizer.isWordChar(t[i])) i++;
                if (i >= end) break;
                long th = 0x84222325L;
                while (i < end && Normalizer.isWordChar(t[i])) {
                    th = (th ^ Character.toLowerCase(t[i])) * 0x100000001B3L;
                    i++;
                }
                th ^= th >>> 31;
                int slot = count % n;
                h = h * P + th - (count >= n ? ring[slot] * pn : 0);
                ring[slot] = th;
                count++;
                if (count >= n) out.accept(h);
            }
        }
    }

    private final class NgramScanner implements Scanner {
        private final Tokenizer tokenizer = new Tokenizer(n);
        private final int[] counts = new int[itemOwner.length];
        private int[] touched = new int[64];
        private int nTouched;
        private long[] seen = new long[64];    // distinct matched n-grams of this record
        private boolean[] seenUsed = new boolean[64];
        private int nSeen;

        @Override
        public void reset() {
            for (int i = 0; i < nTouched; i++) counts[touched[i]] = 0;
            nTouched = 0;
            if (nSeen > 0) {
                Arrays.fill(seenUsed, false);
                nSeen = 0;
            }
        }

        @Override
        public void field(char[] text, int off, int len) {
            tokenizer.feed(text, off, len, this::ngram);
        }

        private void ngram(long h) {
            int p = lookup(h);
            if (p == 0 || !firstTime(h)) return;
            for (int item : postings[p - 1]) {
                if (counts[item]++ == 0) {
                    if (nTouched == touched.length) touched = Arrays.copyOf(touched, nTouched * 2);
                    touched[nTouched++] = item;
                }
            }
        }

        private boolean firstTime(long h) {
            if (nSeen * 2 >= seen.length) grow();
            int m = seen.length - 1;
            int s = (int) ((h * 0x9E3779B97F4A7C15L) >>> 40) & m;
            while (seenUsed[s]) {
                if (seen[s] == h) return false;
                s = (s + 1) & m;
            }
            seenUsed[s] = true;
            seen[s] = h;
            nSeen++;
            return true;
        }

        private void grow() {
            long[] old = seen;
            boolean[] oldUsed = seenUsed;
            seen = new long[old.length * 2];
            seenUsed = new boolean[old.length * 2];
            int m = seen.length - 1;
            for (int i = 0; i < old.length; i++) {
                if (!oldUsed[i]) continue;
                int s = (int) ((old[i] * 0x9E3779B97F4A7C15L) >>> 40) & m;
                while (seenUsed[s]) s = (s + 1) & m;
                seenUsed[s] = true;
                seen[s] = old[i];
            }
        }

        @Override
        public void matches(BitSet out) {
            for (int i = 0; i < nTouched; i++) {
                int item = touched[i];
                if (counts[item] >= itemNeed[item]) out.set(itemOwner[item]);
            }
        }
    }
}
