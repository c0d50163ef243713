package dev.codellm.decontam;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The OpenAI method (GPT-4 report; used by Phind): normalise to letters and digits, take 3
 * random 50-character substrings of each benchmark item (the whole item if it is shorter), and
 * flag a training example whose normalised text contains any of them.
 *
 * <p>Sampling is seeded per item from the run seed and the item's benchmark, task id and field,
 * so the patterns do not depend on which other benchmarks are loaded or in which order.
 */
public final class OpenAi50Method implements Method {
    private static final long serialVersionUID = 1L;
    public static final int SUBSTRINGS = 3;

    private final TaskLabels tasks;
    private final PatternSearcher searcher;
    private final int length;
    private final long seed;
    private final int minChars;
    private final int itemsUsed;
    private final int itemsTooShort;

    /**
     * @param length   substring length (50 in the method)
     * @param minChars items whose normalised text is shorter are not used (0 = use every item,
     *                 as the method says; a tiny item such as {@code returnab} would match a lot)
     */
    public OpenAi50Method(List<BenchmarkItem> items, long seed, int length, int minChars) {
        this.tasks = new TaskLabels(items);
        this.length = length;
        this.seed = seed;
        this.minChars = minChars;
        List<char[]> patterns = new ArrayList<>();
        List<Integer> owners = new ArrayList<>();
        int used = 0, tooShort = 0;
        for (BenchmarkItem item : items) {
            char[] norm = Normalizer.lettersAndDigits(item.text()).toCharArray();
            if (norm.length == 0 || norm.length < minChars) {
                tooShort++;
                continue;
            }
            used++;
            for (char[] p : sample(norm, itemSeed(seed, item), length)) {
                patterns.add(p);
                owners.add(tasks.of(item));
            }
        }
        this.itemsUsed = used;
        this.itemsTooShort = tooShort;
        this.searcher = new PatternSearcher(patterns, owners.stream().mapToInt(Integer::intValue).toArray(), length);
    }

    /** The 3 substrings of one normalised item (just the item when it is not longer than {@code length}). */
    static List<char[]> sample(char[] norm, long itemSeed, int length) {
        List<char[]> out = new ArrayList<>();
        if (norm.length <= length) {
            out.add(norm);
            return out;
        }
        SplittableRandom rnd = new SplittableRandom(itemSeed);
        for (int i = 0; i < SUBSTRINGS; i++) {
            int start = rnd.nextInt(norm.length - length + 1);
            char[] p = new char[length];
            System.arraycopy(norm, start, p, 0, length);
            out.add(p);
        }
        return out;
    }

    /** A seed that depends only on the run seed and the item's identity (String.hashCode is specified). */
    static long itemSeed(long seed, BenchmarkItem item) {
        long h = seed;
        for (String s : new String[] {item.benchmark(), item.taskId(), item.field()}) {
            h = (h ^ s.hashCode()) * 0x9E3779B97F4A7C15L;
            h ^= h >>> 29;
        }
        return h;
    }

    @Override public String name() { return "openai50"; }

    @Override public TaskLabels tasks() { return tasks; }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("substring_length", length);
        m.put("substrings_per_item", SUBSTRINGS);
        m.put("seed", seed);
        m.put("min_chars", minChars);
        m.put("items_used", itemsUsed);
        m.put("items_skipped_too_short", itemsTooShort);
        m.put("patterns", searcher.patternCount());
        return m;
    }

    @Override
    public Scanner newScanner() {
        return new NormalisedScanner(searcher);
    }

    /** Normalise each field to letters+digits and search the patterns in it (shared with {@link ExactMethod}). */
    static final class NormalisedScanner implements Scanner {
        private final PatternSearcher searcher;
        private final BitSet found = new BitSet();
        private char[] buf = new char[1 << 16];

        NormalisedScanner(PatternSearcher searcher) { this.searcher = searcher; }

        @Override public void reset() { found.clear(); }

        @Override
        public void field(char[] text, int off, int len) {
            if (buf.length < len) buf = new char[Math.max(len, buf.length * 2)];
            int n = Normalizer.lettersAndDigits(text, off, len, buf);
            searcher.search(buf, n, found::set);
        }

        @Override public boolean wantsNormalised() { return true; }

        @Override
        public void normalisedField(char[] norm, int len) {
            searcher.search(norm, len, found::set);
        }

        @Override public void matches(BitSet out) { out.or(found); }
    }
}
