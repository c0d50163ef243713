package dev.codellm.eval.ds1000;

import dev.codellm.core.report.Html;
import dev.codellm.core.report.SvgChart;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * DS-1000 pass@1 (%) in the Magicoder paper's layout — Plt, NumPy, Pandas, PyTorch, SciPy,
 * Sklearn, TF, Overall — one row per run, then the published rows for comparison. A run's cell
 * is {@code -} when the run did not include the library and {@code n/a} when none of its problems
 * could be scored here (TensorFlow on Debian). A run's Overall is over its scoreable problems;
 * marked {@code *} when some were left out (the note says how many and why). Published rows
 * count all 1000 problems.
 */
public final class Ds1000Table {
    /** One published row: label, the eight values in column order, where it comes from. */
    public record Published(String label, double[] values, String source) {}

    private static final String MAGICODER = "Magicoder paper (arXiv 2312.02120; 40 samples, T=0.2, top_p 0.5; original-format harness)";
    /** The figures datasets/ds1000/SOURCE.md records, in the column order above. */
    public static final List<Published> PUBLISHED = List.of(
            new Published("Codex-002 (completion)", new double[] {57.0, 43.1, 26.5, 41.8, 31.8, 44.8, 39.3, 39.2},
                    "DS-1000 paper (arXiv 2211.11501, Table 5; 40 samples, T=0.2)"),
            new Published("CodeLlama-Python-7B", new double[] {55.3, 34.5, 16.4, 19.9, 22.3, 17.6, 28.5, 28.0}, MAGICODER),
            new Published("WizardCoder-CL-7B", new double[] {53.5, 34.4, 15.2, 25.7, 21.0, 24.5, 28.9, 28.4}, MAGICODER),
            new Published("MagicoderS-CL-7B", new double[] {55.9, 40.6, 28.4, 40.4, 28.8, 35.8, 37.6, 37.5}, MAGICODER),
            new Published("MagicoderS-DS-6.7B", new double[] {54.8, 48.9, 30.0, 49.2, 27.3, 44.7, 41.2, 41.2}, MAGICODER));

    /** One run's row. */
    public record Row(String label, Ds1000Score score) {}

    private Ds1000Table() {}

    public static List<String> heads() {
        List<String> h = new ArrayList<>();
        Ds1000Library.PAPER_ORDER.forEach(l -> h.add(l.head()));
        h.add("Overall");
        return h;
    }

    public static List<String> cells(Ds1000Score s) {
        List<String> c = new ArrayList<>();
        for (Ds1000Library l : Ds1000Library.PAPER_ORDER) {
            Ds1000Score.Part p = s.libraries().get(l);
            c.add(p == null ? "-" : !p.scored() ? "n/a" : pct(p.passAt1()) + (p.scoreable() < p.problems() ? "*" : ""));
        }
        Ds1000Score.Part all = s.overall();
        c.add(!all.scored() ? "n/a" : pct(all.passAt1()) + (all.scoreable() < all.problems() ? "*" : ""));
        return c;
    }

    /** pass@1 values (0..1) in column order, NaN where a cell has no score. */
    public static double[] values(Ds1000Score s) {
        double[] v = new double[Ds1000Library.PAPER_ORDER.size() + 1];
        for (int i = 0; i < Ds1000Library.PAPER_ORDER.size(); i++) v[i] = s.passAt1(Ds1000Library.PAPER_ORDER.get(i));
        v[v.length - 1] = s.overall().scored() ? s.overall().passAt1() : Double.NaN;
        return v;
    }

    public static String text(List<Row> rows) {
        int w = Math.max(22, rows.stream().mapToInt(r -> r.label().length()).max().orElse(0));
        StringBuilder sb = new StringBuilder("DS-1000 pass@1 (%), the Magicoder paper's columns\n");
        sb.append(String.format(Locale.ROOT, "%-" + w + "s", "run"));
        heads().forEach(h -> sb.append(String.format(Locale.ROOT, "%9s", h)));
        sb.append('\n');
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-" + w + "s", r.label()));
            cells(r.score()).forEach(c -> sb.append(String.format(Locale.ROOT, "%9s", c)));
            sb.append('\n');
        }
        sb.append("published:\n");
        for (Published p : PUBLISHED) {
            sb.append(String.format(Locale.ROOT, "%-" + w + "s", p.label()));
            for (double v : p.values()) sb.append(String.format(Locale.ROOT, "%9.1f", v));
            sb.append('\n');
        }
        notes(rows).forEach(n -> sb.append(n).append('\n'));
        return sb.toString();
    }

    public static String html(List<Row> rows) {
        StringBuilder sb = new StringBuilder("<table><tr><th>run</th>");
        heads().forEach(h -> sb.append("<th>").append(Html.esc(h)).append("</th>"));
        sb.append("</tr>");
        for (Row r : rows) {
            sb.append("<tr><td>").append(Html.esc(r.label())).append("</td>");
            cells(r.score()).forEach(c -> sb.append("<td>").append(Html.esc(c)).append("</td>"));
            sb.append("</tr>");
        }
        sb.append("<tr><th colspan=9>published</th></tr>");
        for (Published p : PUBLISHED) {
            sb.append("<tr><td title='").append(Html.esc(p.source())).append("'>").append(Html.esc(p.label())).append("</td>");
            for (double v : p.values()) sb.append("<td>").append(String.format(Locale.ROOT, "%.1f", v)).append("</td>");
            sb.append("</tr>");
        }
        sb.append("</table><ul>");
        notes(rows).forEach(n -> sb.append("<li>").append(Html.esc(n)).append("</li>"));
        return sb.append("</ul>").toString();
    }

    /** Grouped bars, one group per column: the runs, then the published rows. */
    public static String chart(List<Row> rows) {
        SvgChart.Bars bars = SvgChart.bars("DS-1000 pass@1 by library").categories(heads()).percent();
        for (Row r : rows) bars.series(r.label(), values(r.score()), cells(r.score()).stream().map(c -> c.equals("-") || c.equals("n/a") ? c : null).toArray(String[]::new));
        for (Published p : PUBLISHED) {
            double[] v = new double[p.values().length];
            for (int i = 0; i < v.length; i++) v[i] = p.values()[i] / 100;
            bars.series(p.label() + " (published)", v);
        }
        return bars.svg();
    }

    /** What {@code *}, {@code n/a} and the published rows mean for these rows. */
    static List<String> notes(List<Row> rows) {
        List<String> notes = new ArrayList<>();
        for (Row r : rows) {
            Ds1000Score.Part all = r.score().overall();
            if (all.scoreable() < all.problems()) {
                notes.add(String.format(Locale.ROOT, "* %s: over the %d scoreable problems of %d; %d not scoreable here (%s)", r.label(),
                        all.scoreable(), all.problems(), all.problems() - all.scoreable(), reasons(all.reasons())));
            }
        }
        if (rows.stream().anyMatch(r -> cells(r.score()).contains("n/a"))) notes.add("n/a = no problem of that library can be scored on this machine");
        notes.add("published rows: all 1000 problems (TF included), 40 samples at T=0.2 with the original-format harness "
                + "and Python 3.7-era libraries; ours: this run's samples, the simplified-format harness, Debian's libraries");
        return notes;
    }

    static String reasons(Map<String, Integer> reasons) {
        return reasons.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("; "));
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f", 100 * v);
    }
}
