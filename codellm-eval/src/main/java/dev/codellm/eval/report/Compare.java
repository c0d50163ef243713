package dev.codellm.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.CodellmException;
import dev.codellm.eval.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code codellm eval compare RUN1 RUN2 ...}: pass@k side by side, the tasks each run solves
 * that no other does, and a chart. Reads each run's eval_results.json.
 */
public final class Compare {
    /** What one run directory says. "Solved" = at least one sample correct (plus tests when the dataset has them). */
    public record Run(String label, String dataset, Map<String, Double> base, Map<String, Double> plus, Set<String> solved, Set<String> tasks) {}

    private Compare() {}

    public static Run load(Path dir) {
        Path f = dir.resolve("eval_results.json");
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(f.toFile());
        } catch (IOException e) {
            throw new CodellmException("cannot read " + f + " (is " + dir + " a finished codellm eval --out directory?): " + e.getMessage());
        }
        Map<String, Double> base = new LinkedHashMap<>(), plus = new LinkedHashMap<>();
        root.path("pass_at_k").path("base").properties().forEach(e -> base.put(e.getKey(), e.getValue().asDouble()));
        root.path("pass_at_k").path("plus").properties().forEach(e -> plus.put(e.getKey(), e.getValue().asDouble()));
        Set<String> solved = new LinkedHashSet<>(), tasks = new LinkedHashSet<>();
        root.path("eval").properties().forEach(e -> {
            tasks.add(e.getKey());
            for (JsonNode s : e.getValue()) {
                boolean ok = "pass".equals(s.path("base_status").asText())
                        && (s.path("plus_status").isNull() || s.path("plus_status").isMissingNode() || "pass".equals(s.path("plus_status").asText()));
                if (ok) {
                    solved.add(e.getKey());
                    break;
                }
            }
        });
        String label = root.path("model").asText(dir.getFileName().toString()) + " (" + dir.getFileName() + ")";
        return new Run(label, root.path("dataset").asText(), base, plus, solved, tasks);
    }

    /** Tasks run i solves that none of the others does. */
    public static List<String> onlySolvedBy(List<Run> runs, int i) {
        List<String> out = new ArrayList<>();
        for (String t : runs.get(i).solved()) {
            boolean other = false;
            for (int j = 0; j < runs.size(); j++) if (j != i && runs.get(j).solved().contains(t)) other = true;
            if (!other) out.add(t);
        }
        return out;
    }

    /** The plain-text table printed on stdout. */
    public static String table(List<Run> runs) {
        Set<String> ks = new LinkedHashSet<>();
        runs.forEach(r -> ks.addAll(r.base().keySet()));
        StringBuilder sb = new StringBuilder();
        Set<String> datasets = new LinkedHashSet<>();
        runs.forEach(r -> datasets.add(r.dataset()));
        if (datasets.size() > 1) sb.append("warning: runs are on different datasets: ").append(datasets).append('\n');
        int w = Math.max(20, runs.stream().mapToInt(r -> r.label().length()).max().orElse(20));
        sb.append(String.format(Locale.ROOT, "%-" + w + "s  %-10s", "run", "dataset"));
        for (String k : ks) sb.append(String.format(Locale.ROOT, " %10s %10s", k, k + "+"));
        sb.append(String.format(Locale.ROOT, " %7s%n", "only"));
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            sb.append(String.format(Locale.ROOT, "%-" + w + "s  %-10s", r.label(), r.dataset()));
            for (String k : ks) {
                sb.append(fmt(r.base().get(k))).append(fmt(r.plus().get(k)));
            }
            sb.append(String.format(Locale.ROOT, " %7d%n", onlySolvedBy(runs, i).size()));
        }
        for (int i = 0; i < runs.size(); i++) {
            List<String> only = onlySolvedBy(runs, i);
            if (!only.isEmpty()) sb.append("only ").append(runs.get(i).label()).append(" solves: ").append(String.join(", ", only)).append('\n');
        }
        return sb.toString();
    }

    private static String fmt(Double v) {
        return v == null ? String.format(Locale.ROOT, " %10s", "-") : String.format(Locale.ROOT, " %9.1f%%", 100 * v);
    }

    public static void writeHtml(List<Run> runs, Path file) {
        Set<String> ks = new LinkedHashSet<>();
        runs.forEach(r -> ks.addAll(r.base().keySet()));
        List<String> groups = new ArrayList<>();
        for (String k : ks) {
            groups.add(k);
            if (runs.stream().anyMatch(r -> r.plus().containsKey(k))) groups.add(k + "+");
        }
        List<String> labels = runs.stream().map(Run::label).toList();
        double[][] vals = new double[runs.size()][groups.size()];
        for (int i = 0; i < runs.size(); i++) {
            for (int g = 0; g < groups.size(); g++) {
                String k = groups.get(g);
                Double v = k.endsWith("+") ? runs.get(i).plus().get(k.substring(0, k.length() - 1)) : runs.get(i).base().get(k);
                vals[i][g] = v == null ? 0 : v;
            }
        }
        StringBuilder b = new StringBuilder("<h1>codellm eval compare</h1><pre>").append(Html.esc(table(runs))).append("</pre>");
        b.append(Svg.bars(groups, labels, vals, "pass@k (k+ = with plus tests)"));
        for (int i = 0; i < runs.size(); i++) {
            b.append("<h3>Only ").append(Html.esc(runs.get(i).label())).append(" solves</h3><p>")
                    .append(Html.esc(String.join(", ", onlySolvedBy(runs, i)))).append("</p>");
        }
        try {
            Files.writeString(file, Html.page("codellm eval compare", b.toString()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CodellmException("cannot write " + file + ": " + e.getMessage());
        }
    }
}
