package dev.codellm.eval.multipl;

import dev.codellm.core.CodellmException;
import dev.codellm.eval.report.Html;
import dev.codellm.eval.report.Svg;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
public final class MultiplCompare {
    private MultiplCompare() {}

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
        double[][] values = rows.stream().map(r -> PaperTable.values(r.report())).toArray(double[][]::new);
        String body = "<h1>codellm eval compare: MultiPL-E</h1><h2>pass@1 (%), Code Llama paper layout</h2>"
                + PaperTable.html(rows)
                + Svg.bars(PaperTable.heads(), rows.stream().map(PaperTable.Row::label).toList(), values, "pass@1 by language");
        try {
            Files.writeString(file, Html.page("codellm eval compare: MultiPL-E", body), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CodellmException("cannot write " + file + ": " + e.getMessage());
        }
    }

    /** runs/a → a; runs/a/multipl-e → a; runs/a/multipl-e/java → a/java. */
    private static String name(Path dir) {
        Path d = dir.toAbsolutePath().normalize();
        String last = d.getFileName() == null ? d.toString() : d.getFileName().toString();
        Path parent = d.getParent();
        if (last.equals(MultiplEvaluation.PREFIX) && parent != null && parent.getFileName() != null) return parent.getFileName().toString();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals(MultiplEvaluation.PREFIX)
                && parent.getParent() != null && parent.getParent().getFileName() != null) {
            return parent.getParent().getFileName() + "/" + last;
        }
        return last;
    }
}
