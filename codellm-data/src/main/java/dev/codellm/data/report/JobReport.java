package dev.codellm.data.report;

import dev.codellm.core.io.Json;
import dev.codellm.core.report.Html;
import dev.codellm.core.report.SvgChart;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code report.json} + {@code report.html} of a data job (Evol-Instruct, self-instruct): the
 * figures as JSON, and a page with the funnel (how many records survive each stage, as bars) and
 * tables of the per-stage counts and reasons.
 */
public final class JobReport {
    /** A titled table of plain-text cells. */
    public record Table(String title, List<String> heads, List<List<String>> rows) {}

    private JobReport() {}

    /**
     * @param funnel stage → records left after it, in order (seeds first, kept last)
     */
    public static void write(Path out, String title, Map<String, Object> report, Map<String, ? extends Number> funnel, List<Table> tables) {
        write(out, title, report, funnel, tables, "");
    }

    /** As above, with {@code introHtml} (already escaped) under the title: e.g. a link to a companion page. */
    public static void write(Path out, String title, Map<String, Object> report, Map<String, ? extends Number> funnel, List<Table> tables,
                             String introHtml) {
        Json.write(out.resolve("report.json"), report);
        StringBuilder b = new StringBuilder("<h1>").append(Html.esc(title)).append("</h1>").append(introHtml);
        b.append(Html.heading("Funnel")).append(SvgChart.horizontalBars("records after each stage", funnel));
        List<List<String>> rows = new ArrayList<>();
        Number first = funnel.isEmpty() ? 0 : funnel.values().iterator().next();
        for (Map.Entry<String, ? extends Number> e : funnel.entrySet()) {
            double share = first.doubleValue() == 0 ? 0 : 100 * e.getValue().doubleValue() / first.doubleValue();
            rows.add(List.of(e.getKey(), e.getValue().toString(), String.format(java.util.Locale.ROOT, "%.1f %%", share)));
        }
        b.append(Html.table(List.of("stage", "records", "of the first"), rows));
        for (Table t : tables) b.append(Html.heading(t.title())).append(Html.table(t.heads(), t.rows()));
        b.append(Html.heading("report.json")).append("<pre>").append(Html.esc(Json.pretty(report))).append("</pre>");
        Html.write(out.resolve("report.html"), title, b.toString());
    }

    /** A reason → count map as table rows. */
    public static List<List<String>> rows(Map<String, Integer> counts) {
        List<List<String>> rows = new ArrayList<>();
        counts.forEach((k, v) -> rows.add(List.of(k, Integer.toString(v))));
        return rows;
    }

    /** An ordered map builder for funnels: {@code funnel("seeds", 100, "kept", 40)}. */
    public static Map<String, Integer> funnel(Object... stageAndCount) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < stageAndCount.length; i += 2) m.put((String) stageAndCount[i], (Integer) stageAndCount[i + 1]);
        return m;
    }
}
