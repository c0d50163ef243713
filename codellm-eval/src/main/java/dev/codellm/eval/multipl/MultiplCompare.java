package dev.codellm.eval.multipl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.io.Json;
import dev.codellm.core.report.Html;
import dev.codellm.eval.run.RunComparison;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code codellm eval compare} for MultiPL-E runs: the paper table with one row per run. A run is
 * an eval {@code --out} directory (all languages or some), its {@code multipl-e/} folder, or one
 * language's folder.
 */
public final class MultiplCompare implements RunComparison {
    private final List<PaperTable.Row> rows;

    private MultiplCompare(List<PaperTable.Row> rows) {
        this.rows = List.copyOf(rows);
    }

    public static MultiplCompare of(List<Path> dirs) {
        return new MultiplCompare(load(dirs));
    }

    @Override
    public String text() {
        return text(rows);
    }

    /** Per run: its label and the table's cells and values (pass@1, 0..1; null where the cell has no score). */
    @Override
    public JsonNode json() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        PaperTable.heads().forEach(root.putArray("columns")::add);
        ArrayNode arr = root.putArray("runs");
        for (PaperTable.Row r : rows) {
            ObjectNode o = arr.addObject().put("label", r.label());
            if (r.report().model() != null) o.put("model", r.report().model());
            PaperTable.cells(r.report()).forEach(o.putArray("cells")::add);
            ArrayNode v = o.putArray("pass@1");
            for (double x : PaperTable.values(r.report())) {
                if (Double.isNaN(x)) v.addNull();
                else v.add(x);
            }
        }
        PaperTable.notes(rows).forEach(root.putArray("notes")::add);
        return root;
    }

    @Override
    public void writeHtml(Path file) {
        writeHtml(rows, file);
    }

    /** Whether {@code dir} is a MultiPL-E run (and not a HumanEval/MBPP one). */
    public static boolean isRun(Path dir) {
        return !Files.isRegularFile(dir.resolve("eval_results.json")) && MultiplReport.isRun(dir);
    }

    /** Loads the runs, labelled by model (when recorded) and directory; labels are kept distinct. */
    public static List<PaperTable.Row> load(List<Path> dirs) {
        Set<String> used = new HashSet<>();
        return dirs.stream().map(d -> {
            MultiplReport r = MultiplReport.read(d);
            String base = (r.model() == null ? "" : r.model() + " ") + "(" + name(d) + ")";
            String label = base;
            for (int i = 2; !used.add(label); i++) label = base + " #" + i;
            return r.row(label);
        }).toList();
    }

    public static String text(List<PaperTable.Row> rows) {
        return PaperTable.text(rows);
    }

    /** A page with the table and grouped bars (one group per column, one bar per run). */
    public static void writeHtml(List<PaperTable.Row> rows, Path file) {
        String body = "<h1>codellm eval compare: MultiPL-E</h1><h2>pass@1 (%), Code Llama paper layout</h2>"
                + PaperTable.html(rows) + PaperTable.chart(rows);
        Html.write(file, "codellm eval compare: MultiPL-E", body);
    }

    /** runs/a → a; runs/a/multipl-e → a; runs/a/multipl-e/java → a/java. */
    private static String name(Path dir) {
        Path d = dir.toAbsolutePath().normalize();
        String last = d.getFileName() == null ? d.toString() : d.getFileName().toString();
        Path parent = d.getParent();
        if (last.equals(MultiplFamily.PREFIX) && parent != null && parent.getFileName() != null) return parent.getFileName().toString();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals(MultiplFamily.PREFIX)
                && parent.getParent() != null && parent.getParent().getFileName() != null) {
            return parent.getParent().getFileName() + "/" + last;
        }
        return last;
    }
}
