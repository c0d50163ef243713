package dev.codellm.eval.report;

import dev.codellm.core.report.Html;
import dev.codellm.core.report.SvgChart;
import dev.codellm.eval.exec.SampleResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** report.html: summary, pass@k chart, per-task strip and table with the first failing test and error. */
public final class HtmlReport {
    private HtmlReport() {}

    public static void write(Results r, Path file) {
        StringBuilder b = new StringBuilder();
        b.append("<h1>").append(Html.esc(r.model())).append(" on ").append(Html.esc(r.datasetName())).append("</h1>");
        int samples = r.outcomes().stream().mapToInt(Results.TaskOutcome::n).sum();
        b.append("<p>").append(r.outcomes().size()).append(" tasks, ").append(samples).append(" samples. Dataset sha256 <code>")
                .append(r.dataset().sha256(), 0, 16).append("…</code>. Sandbox: ").append(Html.esc(r.sandbox())).append("</p>");
        b.append(settings(file.resolveSibling(dev.codellm.eval.run.Evaluation.RUN)));
        Map<String, Double> base = r.passAtK(false);
        Map<String, Double> plus = r.plus() ? r.passAtK(true) : Map.of();
        b.append("<table><tr><th></th>");
        base.keySet().forEach(k -> b.append("<th>").append(k).append("</th>"));
        b.append("</tr><tr><td>base</td>");
        base.values().forEach(v -> b.append(String.format(Locale.ROOT, "<td>%.1f %%</td>", 100 * v)));
        b.append("</tr>");
        if (r.plus()) {
            b.append("<tr><td>plus (base + extra tests)</td>");
            plus.values().forEach(v -> b.append(String.format(Locale.ROOT, "<td>%.1f %%</td>", 100 * v)));
            b.append("</tr>");
        }
        b.append("</table>");
        List<String> ks = new ArrayList<>(base.keySet());
        SvgChart.Bars chart = SvgChart.bars("pass@k").categories(ks).percent()
                .series("base", ks.stream().mapToDouble(base::get).toArray());
        if (r.plus()) chart.series("plus (base + extra tests)", ks.stream().mapToDouble(k -> plus.getOrDefault(k, Double.NaN)).toArray());
        b.append(chart.svg());
        List<String> ids = r.outcomes().stream().map(o -> o.task().taskId()).toList();
        double[] rates = r.outcomes().stream().mapToDouble(o -> (double) (r.plus() ? o.plusCorrect() : o.baseCorrect()) / o.n()).toArray();
        b.append(SvgChart.strip("pass rate per task" + (r.plus() ? " (plus)" : ""), ids, rates));

        b.append("<h2>Tasks</h2><table><tr><th>task</th><th>n</th><th>base ok</th>");
        if (r.plus()) b.append("<th>plus ok</th>");
        b.append("<th>first failure</th><th>failing test</th></tr>");
        for (Results.TaskOutcome o : r.outcomes()) {
            SampleResult f = o.firstFailure(r.plus());
            String cls = f == null ? "pass" : "fail";
            b.append("<tr class='").append(cls).append("'><td>").append(Html.esc(o.task().taskId())).append("</td><td>").append(o.n())
                    .append("</td><td>").append(o.baseCorrect()).append("</td>");
            if (r.plus()) b.append("<td>").append(o.plusCorrect()).append("</td>");
            if (f == null) {
                b.append("<td></td><td></td>");
            } else {
                String status = !f.basePassed() ? "base " + f.baseStatus() : "plus " + f.plusStatus();
                var test = !f.basePassed() ? f.baseFailTest() : f.plusFailTest();
                String testText = test == null ? "" : test.isTextual() ? test.asText() : test.toString();
                if (testText.length() > 300) testText = testText.substring(0, 300) + "…";
                String program = o.firstFailureProgram(r.plus());
                b.append("<td>").append(Html.esc(status)).append(f.error() == null ? "" : ": " + Html.esc(f.error()))
                        .append(program == null ? "" : "<details><summary>code tested</summary><pre>" + Html.esc(program) + "</pre></details>")
                        .append("</td><td><code>").append(Html.esc(testText)).append("</code></td>");
            }
            b.append("</tr>");
        }
        b.append("</table>");
        Html.write(file, "codellm eval: " + r.model() + " on " + r.datasetName(), b.toString());
    }

    /** The run's settings from run.json (what a reader needs to compare two reports); empty without one. */
    public static String settings(Path runJson) {
        if (!java.nio.file.Files.isRegularFile(runJson)) return "";
        com.fasterxml.jackson.databind.JsonNode run;
        try {
            run = dev.codellm.core.io.Json.read(runJson);
        } catch (RuntimeException e) {
            return "";
        }
        StringBuilder b = new StringBuilder("<p class='settings'>Settings: ");
        List<String> parts = new ArrayList<>();
        for (String[] f : new String[][] {{"source", "source"}, {"prompt_style", "prompt style"}, {"n", "samples per task"},
                {"temperature", "temperature"}, {"max_tokens", "max tokens"}, {"sanitize", "sanitized"}, {"seed", "seed"}, {"limit", "limit"}}) {
            var v = run.get(f[0]);
            if (v != null && !v.isNull()) parts.add(f[1] + " <b>" + Html.esc(v.asText()) + "</b>");
        }
        return parts.isEmpty() ? "" : b.append(String.join(", ", parts)).append(".</p>").toString();
    }
}
