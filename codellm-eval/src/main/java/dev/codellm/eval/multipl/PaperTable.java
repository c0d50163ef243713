package dev.codellm.eval.multipl;

import static dev.codellm.eval.multipl.MultiplLanguage.CPP;
import static dev.codellm.eval.multipl.MultiplLanguage.CS;
import static dev.codellm.eval.multipl.MultiplLanguage.GO;
import static dev.codellm.eval.multipl.MultiplLanguage.JAVA;
import static dev.codellm.eval.multipl.MultiplLanguage.JS;
import static dev.codellm.eval.multipl.MultiplLanguage.PHP;
import static dev.codellm.eval.multipl.MultiplLanguage.RS;
import static dev.codellm.eval.multipl.MultiplLanguage.SH;
import static dev.codellm.eval.multipl.MultiplLanguage.TS;

import dev.codellm.core.report.Html;
import dev.codellm.core.report.SvgChart;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The Code Llama paper's MultiPL-E table (Table 4: C++, Java, PHP, TS, C#, Bash and their
 * average), then JS, Rust and Go, with one row per run: pass@1 in percent. A cell is {@code -}
 * when the run did not include the language and {@code n/a} when its toolchain was missing; both
 * are explained below the table and neither counts as 0 in the average, which is marked
 * {@code (k/6)} when only k of the six languages were scored.
 */
public final class PaperTable {
    /** The paper's columns, in its order; the average runs over these. */
    public static final List<MultiplLanguage> PAPER = List.of(CPP, JAVA, PHP, TS, CS, SH);
    /** The other languages, after the average. */
    public static final List<MultiplLanguage> EXTRA = List.of(JS, RS, GO);

    /** One run's line. */
    public record Row(String label, MultiplReport report) {}

    private PaperTable() {}

    /** Column heads: the six languages, "Average", the three others. */
    public static List<String> heads() {
        List<String> h = new ArrayList<>();
        PAPER.forEach(l -> h.add(head(l)));
        h.add("Average");
        EXTRA.forEach(l -> h.add(head(l)));
        return h;
    }

    /** The cells of one row, in {@link #heads()} order. */
    public static List<String> cells(MultiplReport r) {
        List<String> c = new ArrayList<>();
        PAPER.forEach(l -> c.add(cell(r.score(l))));
        c.add(averageCell(r));
        EXTRA.forEach(l -> c.add(cell(r.score(l))));
        return c;
    }

    /** pass@1 values (0..1) in {@link #heads()} order; NaN where a cell has no score. */
    public static double[] values(MultiplReport r) {
        List<Double> v = new ArrayList<>();
        PAPER.forEach(l -> v.add(value(r.score(l))));
        v.add(r.paperAverage());
        EXTRA.forEach(l -> v.add(value(r.score(l))));
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    public static String text(List<Row> rows) {
        int w = Math.max(3, rows.stream().mapToInt(r -> r.label().length()).max().orElse(3));
        List<String> heads = heads();
        StringBuilder sb = new StringBuilder("MultiPL-E HumanEval pass@1 (%): the Code Llama paper's columns and average, then JS, Rust, Go\n");
        sb.append(String.format(Locale.ROOT, "%-" + w + "s", "run"));
        for (int i = 0; i < heads.size(); i++) sb.append(String.format(Locale.ROOT, width(i), heads.get(i)));
        sb.append('\n');
        for (Row row : rows) {
            sb.append(String.format(Locale.ROOT, "%-" + w + "s", row.label()));
            List<String> cells = cells(row.report());
            for (int i = 0; i < cells.size(); i++) sb.append(String.format(Locale.ROOT, width(i), cells.get(i)));
            sb.append('\n');
        }
        notes(rows).forEach(n -> sb.append(n).append('\n'));
        return sb.toString();
    }

    /** An HTML table with the same cells and notes. */
    public static String html(List<Row> rows) {
        StringBuilder sb = new StringBuilder("<table class='paper'><tr><th>run</th>");
        heads().forEach(h -> sb.append("<th>").append(Html.esc(h)).append("</th>"));
        sb.append("</tr>");
        for (Row row : rows) {
            sb.append("<tr><td>").append(Html.esc(row.label())).append("</td>");
            cells(row.report()).forEach(c -> sb.append("<td>").append(Html.esc(c)).append("</td>"));
            sb.append("</tr>");
        }
        sb.append("</table>");
        List<String> notes = notes(rows);
        if (!notes.isEmpty()) {
            sb.append("<ul>");
            notes.forEach(n -> sb.append("<li>").append(Html.esc(n.strip())).append("</li>"));
            sb.append("</ul>");
        }
        return sb.toString();
    }

    /** Grouped bars, one group per column and one bar per row; a cell without a score is labelled as in the table. */
    public static String chart(List<Row> rows) {
        SvgChart.Bars bars = SvgChart.bars("pass@1 by language").categories(heads()).percent();
        for (Row row : rows) {
            double[] v = values(row.report());
            List<String> cells = cells(row.report());
            String[] labels = new String[v.length];
            for (int i = 0; i < v.length; i++) if (Double.isNaN(v[i])) labels[i] = cells.get(i);
            bars.series(row.label(), v, labels);
        }
        return bars.svg();
    }

    /** What the {@code -}, {@code n/a} and {@code (k/6)} cells mean for these rows, and C#'s caveat. */
    static List<String> notes(List<Row> rows) {
        List<String> notes = new ArrayList<>();
        List<MultiplLanguage> all = new ArrayList<>(PAPER);
        all.addAll(EXTRA);
        for (Row row : rows) {
            List<String> absent = all.stream().filter(l -> row.report().score(l).isEmpty()).map(PaperTable::head).toList();
            if (!absent.isEmpty() && absent.size() < all.size()) {
                notes.add("- = not in the run: " + row.label() + ": " + String.join(", ", absent));
            }
            for (MultiplLanguage l : all) {
                row.report().score(l).filter(s -> !s.scored()).ifPresent(s -> notes.add("n/a = not scored, toolchain missing: "
                        + row.label() + ": " + head(l) + " (apt-get install " + String.join(" ", s.missingPackages()) + ")"));
            }
            row.report().score(CS).filter(s -> s.scored() && s.flagged() > 0).ifPresent(s -> notes.add(String.format(Locale.ROOT,
                    "C# is raw, as the paper reports it: %s: %d of %d tasks cannot pass in v2.x (.Equals on lists); %.1f without them",
                    row.label(), s.flagged(), s.problems(), 100 * s.passAtKUnflagged().getOrDefault("pass@1", Double.NaN))));
        }
        if (rows.stream().anyMatch(r -> r.report().paperScored() < PAPER.size())) {
            notes.add("Average = mean over the paper's six languages that were scored; (k/6) = only k of them were");
        }
        for (MultiplLanguage l : all) {
            Map<String, List<String>> sizes = new TreeMap<>();
            for (Row row : rows) {
                row.report().score(l).filter(LanguageScore::scored).ifPresent(s ->
                        sizes.computeIfAbsent(s.problems() + " problems x n=" + s.samplesPerTask(), k -> new ArrayList<>()).add(row.label()));
            }
            if (sizes.size() > 1) {
                notes.add("warning: " + head(l) + " was scored on different problems or n: " + sizes.entrySet().stream()
                        .map(e -> String.join(", ", e.getValue()) + ": " + e.getKey()).collect(Collectors.joining("; ")));
            }
        }
        return notes;
    }

    /** The paper's short heads (it writes TS for TypeScript). */
    static String head(MultiplLanguage l) {
        return switch (l) {
            case TS -> "TS";
            case JS -> "JS";
            default -> l.displayName();
        };
    }

    /** Column i's format: the average is wider, to hold "(k/6)". */
    private static String width(int i) {
        return i == PAPER.size() ? "%12s" : "%7s";
    }

    private static String cell(Optional<LanguageScore> s) {
        if (s.isEmpty()) return "-";
        if (!s.get().scored()) return "n/a";
        return String.format(Locale.ROOT, "%.1f", 100 * s.get().passAt1());
    }

    private static double value(Optional<LanguageScore> s) {
        return s.filter(LanguageScore::scored).map(LanguageScore::passAt1).orElse(Double.NaN);
    }

    private static String averageCell(MultiplReport r) {
        double avg = r.paperAverage();
        if (Double.isNaN(avg)) return "-";
        String v = String.format(Locale.ROOT, "%.1f", 100 * avg);
        int k = r.paperScored();
        return k == PAPER.size() ? v : v + " (" + k + "/" + PAPER.size() + ")";
    }
}
