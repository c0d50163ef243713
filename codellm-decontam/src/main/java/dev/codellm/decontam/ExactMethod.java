package dev.codellm.decontam;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exact / near-exact copies of reference solutions: a record is flagged when a benchmark's whole
 * canonical solution occurs in it after both are normalised to letters and digits, so a copy
 * that only differs in whitespace, indentation, line endings, quotes or punctuation is caught.
 * Solutions shorter than {@code minChars} normalised chars are not used (e.g. {@code returnab}).
 */
public final class ExactMethod implements Method {
    private static final long serialVersionUID = 1L;
    private static final int ANCHOR = 32;

    private final TaskLabels tasks;
    private final PatternSearcher searcher;
    private final int minChars;
    private final int itemsUsed;
    private final int itemsTooShort;

    public ExactMethod(List<BenchmarkItem> items, int minChars) {
        List<BenchmarkItem> solutions = items.stream().filter(BenchmarkItem::solution).toList();
        if (solutions.isEmpty()) throw new IllegalArgumentException("exact method: the benchmarks have no solution fields");
        this.tasks = new TaskLabels(solutions);
        this.minChars = Math.max(1, minChars);
        List<char[]> patterns = new ArrayList<>();
        List<Integer> owners = new ArrayList<>();
        int tooShort = 0;
        for (BenchmarkItem s : solutions) {
            char[] norm = Normalizer.lettersAndDigits(s.text()).toCharArray();
            if (norm.length < this.minChars) {
                tooShort++;
                continue;
            }
            patterns.add(norm);
            owners.add(tasks.of(s));
        }
        this.itemsUsed = patterns.size();
        this.itemsTooShort = tooShort;
        this.searcher = new PatternSearcher(patterns, owners.stream().mapToInt(Integer::intValue).toArray(), ANCHOR);
    }

    @Override public String name() { return "exact"; }

    @Override public TaskLabels tasks() { return tasks; }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("min_chars", minChars);
        m.put("solutions_used", itemsUsed);
        m.put("solutions_skipped_too_short", itemsTooShort);
        return m;
    }

    @Override
    public Scanner newScanner() {
        return new OpenAi50Method.NormalisedScanner(searcher);
    }
}
