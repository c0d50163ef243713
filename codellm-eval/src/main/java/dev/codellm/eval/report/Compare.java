package dev.codellm.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import dev.codellm.core.report.Html;
import dev.codellm.core.report.SvgChart;
import dev.codellm.eval.run.RunComparison;
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
 * {@code codellm eval compare RUN1 RUN2 ...} for HumanEval(+)/MBPP(+) runs and runs of a user's
 * task file: pass@k side by side, the tasks each run solves that no other does, and a chart; per
 * task, which run solved it, with every run's answer side by side in the HTML page (and in the
 * text when there are at most {@value #PER_TASK_TEXT} tasks, a handful of one's own problems).
 * Reads each run's eval_results.json.
 */
public final class Compare implements RunComparison {
    static final int PER_TASK_TEXT = 40;

    /**
     * What one run directory says. "Solved" = at least one sample correct (plus tests when the
     * dataset has them); {@code answers} holds, per task, the first correct sample's program, else
     * the first sample's.
     */
    public record Run(String label, String dataset, Map<String, Double> base, Map<String, Double> plus, Set<String> solved, Set<String> tasks,
                      Map<String, String> answers) {}

    private final List<Run> runs;

    private Compare(List<Run> runs) {
        this.runs = List.copyOf(runs);
    }

    public static Compare of(List<Path> dirs) {
        return new Compare(dirs.stream().map(Compare::load).toList());
    }

    public static Run load(Path dir) {
        Path f = dir.resolve("eval_results.json");
        if (!Files.isRegularFile(f)) throw new CodellmException("cannot read " + f + " (is " + dir + " a finished codellm eval --out directory?)");
        JsonNode root = Json.read(f);
        Map<String, Double> base = new LinkedHashMap<>(), plus = new LinkedHashMap<>();
        root.path("pass_at_k").path("base").properties().forEach(e -> base.put(e.getKey(), e.getValue().asDouble()));
        root.path("pass_at_k").path("plus").properties().forEach(e -> plus.put(e.getKey(), e.getValue().asDouble()));
        Set<String> solved = new LinkedHashSet<>(), tasks = new LinkedHashSet<>();
        Map<String, String> answers = new LinkedHashMap<>();
        root.path("eval").properties().forEach(e -> {
            tasks.add(e.getKey());
            for (JsonNode s : e.getValue()) {
                answers.putIfAbsent(e.getKey(), s.path("solution").asText(""));
                boolean ok = "pass".equals(s.path("base_status").asText())
                        && (s.path("plus_status").isNull() || s.path("plus_status").isMissingNode() || "pass".equals(s.path("plus_status").asText()));
                if (ok) {
                    solved.add(e.getKey());
                    answers.put(e.getKey(), s.path("solution").asText(""));
                    break;
                }
            }
        });
        String label = root.path("model").asText(dir.getFileName().toString()) + " (" + dir.getFileName() + ")";
        return new Run(label, root.path("dataset").asText(), base, plus, solved, tasks, answers);
    }

    /** Every task of any run, in the first run's order, then the others'. */
    static List<String> allTasks(List<Run> runs) {
        Set<String> all = new LinkedHashSet<>();
        runs.forEach(r -> all.addAll(r.tasks()));
        return new ArrayList<>(all);
    }

    /** One cell of the per-task view: solved, not solved, or not in that run. */
    static String mark(Run r, String task) {
        return !r.tasks().contains(task) ? "-" : r.solved().contains(task) ? "solved" : "no";
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

    @Override
    public String text() {
        return table(runs);
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
        List<String> tasks = allTasks(runs);
        if (tasks.size() <= PER_TASK_TEXT) {
            int tw = Math.max(4, tasks.stream().mapToInt(String::length).max().orElse(4));
            sb.append('\n').append(String.format(Locale.ROOT, "%-" + tw + "s", "task"));
            for (int i = 0; i < runs.size(); i++) sb.append(String.format(Locale.ROOT, "  %-8s", "run " + (i + 1)));
            sb.append('\n');
            for (String t : tasks) {
                sb.append(String.format(Locale.ROOT, "%-" + tw + "s", t));
                for (Run r : runs) sb.append(String.format(Locale.ROOT, "  %-8s", mark(r, t)));
                sb.append('\n');
            }
            for (int i = 0; i < runs.size(); i++) sb.append("run ").append(i + 1).append(" = ").append(runs.get(i).label()).append('\n');
        }
        return sb.toString();
    }

    private static String fmt(Double v) {
        return v == null ? String.format(Locale.ROOT, " %10s", "-") : String.format(Locale.ROOT, " %9.1f%%", 100 * v);
    }

    /** The same figures as the table: per run its pass@k (base, plus), tasks solved and those only it solves. */
    @Override
    public JsonNode json() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode arr = root.putArray("runs");
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            ObjectNode o = arr.addObject().put("label", r.label()).put("dataset", r.dataset());
            ObjectNode k = o.putObject("pass_at_k");
            ObjectNode b = k.putObject("base");
            r.base().forEach(b::put);
            if (!r.plus().isEmpty()) {
                ObjectNode p = k.putObject("plus");
                r.plus().forEach(p::put);
            }
            o.put("tasks", r.tasks().size()).put("solved", r.solved().size());
            onlySolvedBy(runs, i).forEach(o.putArray("only_solved")::add);
        }
        ArrayNode perTask = root.putArray("per_task");
        for (String t : allTasks(runs)) {
            ArrayNode solved = perTask.addObject().put("task_id", t).putArray("solved");
            for (Run r : runs) {
                if (r.tasks().contains(t)) solved.add(r.solved().contains(t));
                else solved.addNull();
            }
        }
        return root;
    }

    @Override
    public void writeHtml(Path file) {
        Set<String> ks = new LinkedHashSet<>();
        runs.forEach(r -> ks.addAll(r.base().keySet()));
        List<String> groups = new ArrayList<>();
        for (String k : ks) {
            groups.add(k);
            if (runs.stream().anyMatch(r -> r.plus().containsKey(k))) groups.add(k + "+");
        }
        SvgChart.Bars chart = SvgChart.bars("pass@k (k+ = with plus tests)").categories(groups).percent();
        for (Run r : runs) {
            double[] v = new double[groups.size()];
            for (int g = 0; g < groups.size(); g++) {
                String k = groups.get(g);
                Double x = k.endsWith("+") ? r.plus().get(k.substring(0, k.length() - 1)) : r.base().get(k);
                v[g] = x == null ? Double.NaN : x;
            }
            chart.series(r.label(), v);
        }
        StringBuilder b = new StringBuilder("<h1>codellm eval compare</h1><pre>").append(Html.esc(table(runs))).append("</pre>");
        b.append(chart.svg());
        for (int i = 0; i < runs.size(); i++) {
            List<String> only = onlySolvedBy(runs, i);
            b.append("<h3>Only ").append(Html.esc(runs.get(i).label())).append(" solves</h3><p>")
                    .append(only.isEmpty() ? "no task" : Html.esc(String.join(", ", only))).append("</p>");
        }
        b.append("<h2>Per task: who solved it, and the answers side by side</h2><table><tr><th>task</th>");
        runs.forEach(r -> b.append("<th>").append(Html.esc(r.label())).append("</th>"));
        b.append("</tr>");
        for (String t : allTasks(runs)) {
            b.append("<tr><td>").append(Html.esc(t)).append("</td>");
            for (Run r : runs) {
                String m = mark(r, t);
                b.append("<td class='").append(m.equals("solved") ? "pass" : "fail").append("'><b>").append(Html.esc(m)).append("</b>");
                String answer = r.answers().get(t);
                if (answer != null) b.append("<pre>").append(Html.esc(answer)).append("</pre>");
                b.append("</td>");
            }
            b.append("</tr>");
        }
        b.append("</table>");
        Html.write(file, "codellm eval compare", b.toString());
    }
}
