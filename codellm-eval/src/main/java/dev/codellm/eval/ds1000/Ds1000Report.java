package dev.codellm.eval.ds1000;

import dev.codellm.core.report.Html;
import dev.codellm.core.report.SvgChart;
import dev.codellm.eval.report.HtmlReport;
import dev.codellm.eval.run.Evaluation;
import dev.codellm.eval.run.SampleKey;
import dev.codellm.eval.run.SampleRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * report.html of a DS-1000 run: the headline with what was left out, the Magicoder-layout table
 * beside the published rows, per-library counts, the problems not scoreable here with their
 * reason, and every failing problem with its first error and the code that was tested; the run's
 * settings (run.json beside the page) as the other eval reports show them.
 */
public final class Ds1000Report {
    private Ds1000Report() {}

    public static void write(Ds1000Score s, Map<String, Ds1000Problem> problems, List<SampleRecord> samples,
                      Map<SampleKey, Ds1000Verdict> verdicts, String judge, Path file) {
        StringBuilder b = new StringBuilder("<h1>").append(Html.esc(s.model())).append(" on ").append(Html.esc(s.dataset())).append("</h1>");
        b.append(Html.paragraph(headline(s))).append(Html.paragraph("Judge: " + judge));
        b.append(HtmlReport.settings(file.resolveSibling(Evaluation.RUN)));
        List<Ds1000Table.Row> rows = List.of(new Ds1000Table.Row(s.model(), s));
        b.append(Html.heading("pass@1 (%), Magicoder paper layout")).append(Ds1000Table.html(rows)).append(Ds1000Table.chart(rows));

        b.append(Html.heading("Per library"));
        List<List<String>> libRows = new ArrayList<>();
        for (var e : s.libraries().entrySet()) {
            Ds1000Score.Part p = e.getValue();
            libRows.add(List.of(e.getKey().dataName(), Integer.toString(p.problems()), Integer.toString(p.scoreable()),
                    p.scored() ? String.format(Locale.ROOT, "%.1f %%", 100 * p.passAt1()) : "n/a", Ds1000Table.reasons(p.reasons())));
        }
        b.append(Html.table(List.of("library", "problems", "scoreable here", "pass@1", "not scoreable"), libRows));

        if (!s.notScoreable().isEmpty()) {
            b.append(Html.heading("Not scoreable here (" + s.notScoreable().size() + ")"));
            Map<String, List<String>> byReason = new LinkedHashMap<>();
            s.notScoreable().forEach((t, r) -> byReason.computeIfAbsent(r, k -> new ArrayList<>()).add(t));
            List<List<String>> nsRows = new ArrayList<>();
            byReason.forEach((r, ts) -> nsRows.add(List.of(r, Integer.toString(ts.size()), String.join(", ", ts))));
            b.append(Html.table(List.of("reason (of the reference solution)", "problems", "ids"), nsRows));
        }

        Map<String, SampleRecord> firstFailure = new LinkedHashMap<>();
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (SampleRecord r : samples) {
            Ds1000Verdict v = verdicts.get(SampleKey.of(r));
            int[] c = counts.computeIfAbsent(r.taskId(), k -> new int[2]);
            c[0]++;
            if (v.passed()) c[1]++;
            else firstFailure.putIfAbsent(r.taskId(), r);
        }
        firstFailure.keySet().removeAll(s.notScoreable().keySet());
        b.append(Html.heading("Problems with a failing sample (" + firstFailure.size() + ")"));
        b.append(firstFailure.isEmpty() ? Html.paragraph("none") : failures(firstFailure, problems, verdicts, counts));
        double[] rate = new double[counts.size()];
        int i = 0;
        for (int[] c : counts.values()) rate[i++] = c[0] == 0 ? 0 : (double) c[1] / c[0];
        b.append(SvgChart.strip("pass rate per problem", new ArrayList<>(counts.keySet()), rate));
        Html.write(file, "codellm eval: " + s.model() + " on " + s.dataset(), b.toString());
    }

    /** Per failing problem its counts, the first failure's status and error, and the code that was tested (folded). */
    private static String failures(Map<String, SampleRecord> first, Map<String, Ds1000Problem> problems, Map<SampleKey, Ds1000Verdict> verdicts,
                                   Map<String, int[]> counts) {
        StringBuilder t = new StringBuilder("<table><tr>");
        for (String h : List.of("problem", "library", "perturbation", "passed", "first failure")) t.append("<th>").append(h).append("</th>");
        t.append("</tr>");
        first.forEach((id, r) -> {
            Ds1000Problem p = problems.get(id);
            Ds1000Verdict v = verdicts.get(SampleKey.of(r));
            int[] c = counts.get(id);
            t.append("<tr class='fail'><td>").append(Html.esc(id)).append("</td><td>").append(Html.esc(p.library().dataName()))
                    .append("</td><td>").append(Html.esc(p.perturbation())).append("</td><td>").append(c[1]).append('/').append(c[0])
                    .append("</td><td>").append(Html.esc(v.status())).append(v.error() == null ? "" : ": " + Html.esc(v.error()))
                    .append("<details><summary>code tested (sample ").append(r.completionId()).append(")</summary><pre>")
                    .append(Html.esc(r.solution())).append("</pre></details></td></tr>");
        });
        return t.append("</table>").toString();
    }

    /** e.g. "pass@1 34.5 % over 938 scoreable problems of 1000 (62 not scoreable here: needs tensorflow (not installed): 47; ...)". */
    static String headline(Ds1000Score s) {
        Ds1000Score.Part all = s.overall();
        StringBuilder h = new StringBuilder();
        if (all.scored()) {
            all.passAtK().forEach((k, v) -> h.append(h.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%s %.1f %%", k, 100 * v)));
        } else {
            h.append("nothing scoreable");
        }
        h.append(String.format(Locale.ROOT, " over %d scoreable problems of %d", all.scoreable(), all.problems()));
        if (all.scoreable() < all.problems()) {
            h.append(String.format(Locale.ROOT, " (%d not scoreable here: %s)", all.problems() - all.scoreable(), Ds1000Table.reasons(all.reasons())));
        }
        return h.append(", n=").append(s.samplesPerTask()).toString();
    }
}
