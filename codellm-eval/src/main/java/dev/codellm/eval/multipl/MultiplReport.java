package dev.codellm.eval.multipl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import dev.codellm.core.report.Html;
import dev.codellm.core.report.SvgChart;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The outcome of a MultiPL-E run, all its languages: a table per language and the Code Llama
 * paper's layout ({@link PaperTable}), as text, {@code summary.json} and {@code report.html}.
 * {@link #read} loads it back from a run directory for {@code codellm eval compare}.
 */
public final class MultiplReport {
    public static final String SUMMARY = "summary.json";
    private static final String PASS_AT_K = "pass_at_k.json";

    private final String model;
    private final List<LanguageScore> scores;

    public MultiplReport(List<LanguageScore> scores) {
        this(null, scores);
    }

    /** @param model what produced the completions (model name or samples file), or null */
    public MultiplReport(String model, List<LanguageScore> scores) {
        this.model = model;
        this.scores = List.copyOf(scores);
    }

    /** The model or samples file, when the run recorded it; else null. */
    public String model() { return model; }

    public List<LanguageScore> scores() { return scores; }

    /** The language's score, empty when the run did not include it. */
    public Optional<LanguageScore> score(MultiplLanguage l) {
        return scores.stream().filter(s -> s.language() == l).findFirst();
    }

    /** Average pass@1 over the paper's languages that were scored, or NaN if none was. */
    public double paperAverage() {
        return scores.stream().filter(s -> PaperTable.PAPER.contains(s.language()) && s.scored())
                .mapToDouble(LanguageScore::passAt1).average().orElse(Double.NaN);
    }

    /** How many of the paper's six languages were scored (the average's denominator). */
    public int paperScored() {
        return (int) scores.stream().filter(s -> PaperTable.PAPER.contains(s.language()) && s.scored()).count();
    }

    /** One row per language with its status counts, then the paper-style table. */
    public String text() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-11s %8s %4s %8s %6s %9s %11s %7s%n",
                "language", "problems", "n", "pass@1", "OK", "Exception", "SyntaxError", "Timeout"));
        for (LanguageScore s : scores) {
            if (!s.scored()) {
                sb.append(String.format(Locale.ROOT, "%-11s not scored: toolchain missing (apt-get install %s)%n",
                        s.language().displayName(), String.join(" ", s.missingPackages())));
                continue;
            }
            sb.append(String.format(Locale.ROOT, "%-11s %8d %4d %7.1f%% %6d %9d %11d %7d%s%n", s.language().displayName(), s.problems(),
                    s.samplesPerTask(), 100 * s.passAt1(), s.count(Status.OK), s.count(Status.Exception),
                    s.count(Status.SyntaxError), s.count(Status.Timeout),
                    s.flagged() > 0 ? String.format(Locale.ROOT, "  (%d tasks unpassable in v2.x; %.1f%% without them)",
                            s.flagged(), 100 * s.passAtKUnflagged().getOrDefault("pass@1", Double.NaN)) : ""));
        }
        return sb.append('\n').append(PaperTable.text(List.of(row("pass@1")))).toString();
    }

    /** This run as a line of a paper table. */
    public PaperTable.Row row(String label) {
        return new PaperTable.Row(label, this);
    }

    /** summary.json's content: the model, each language's score, the paper average. */
    public ObjectNode json() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        if (model != null) root.put("model", model);
        ArrayNode langs = root.putArray("languages");
        for (LanguageScore s : scores) langs.add(s.toJson());
        if (!Double.isNaN(paperAverage())) root.put("paper_average_pass@1", paperAverage()).put("paper_languages_scored", paperScored());
        return root;
    }

    /** Writes {@code summary.json} and {@code report.html} into {@code dir}. */
    public void write(Path dir) {
        Json.write(dir.resolve(SUMMARY), json());
        Html.write(dir.resolve("report.html"), "MultiPL-E report", body());
    }

    /** The per-language table, the paper table and a bar per column (inline SVG, no scripts). */
    String body() {
        StringBuilder sb = new StringBuilder("<h1>MultiPL-E HumanEval (v2.x)").append(model == null ? "" : ": " + Html.esc(model))
                .append("</h1><h2>Code Llama paper layout, pass@1 (%)</h2>")
                .append(PaperTable.html(List.of(row("pass@1"))))
                .append(PaperTable.chart(List.of(row("pass@1"))))
                .append("<h2>Per language</h2><table><tr><th>language</th><th>problems</th><th>n</th><th>pass@1</th>"
                        + "<th>OK</th><th>Exception</th><th>SyntaxError</th><th>Timeout</th></tr>");
        for (LanguageScore s : scores) {
            sb.append("<tr><td>").append(s.language().displayName()).append("</td>");
            if (!s.scored()) {
                sb.append("<td colspan=7>toolchain missing: apt-get install ").append(Html.esc(String.join(" ", s.missingPackages())))
                        .append("</td></tr>");
                continue;
            }
            sb.append(String.format(Locale.ROOT, "<td>%d</td><td>%d</td><td>%.1f%%</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr>",
                    s.problems(), s.samplesPerTask(), 100 * s.passAt1(), s.count(Status.OK), s.count(Status.Exception),
                    s.count(Status.SyntaxError), s.count(Status.Timeout)));
        }
        sb.append("</table>");
        return sb.toString();
    }

    /** Whether {@code dir} holds a MultiPL-E run that {@link #read} can load. */
    public static boolean isRun(Path dir) {
        return find(dir) != null;
    }

    /**
     * Loads a MultiPL-E run from its {@code --out} directory, its {@code multipl-e/} folder, or one
     * language's folder. Without {@code summary.json} (a run stopped early) the languages that
     * finished ({@code <lang>/pass_at_k.json}) are read.
     */
    public static MultiplReport read(Path dir) {
        Path found = find(dir);
        if (found == null) {
            throw new CodellmException(dir + " is not a MultiPL-E run: no " + SUMMARY + ", " + PASS_AT_K + " or <lang>/" + PASS_AT_K
                    + " in it or in its " + MultiplFamily.PREFIX + "/ folder");
        }
        if (found.getFileName().toString().equals(SUMMARY)) {
            JsonNode root = readJson(found);
            List<LanguageScore> scores = new ArrayList<>();
            for (JsonNode l : root.path("languages")) scores.add(LanguageScore.fromJson(l, found.toString()));
            return new MultiplReport(model(root), scores);
        }
        if (Files.isRegularFile(found)) {
            // One language's folder: the run's model is in the summary one level up, if it got that far.
            Path summary = found.getParent().toAbsolutePath().getParent().resolve(SUMMARY);
            String model = Files.isRegularFile(summary) ? model(readJson(summary)) : null;
            return new MultiplReport(model, List.of(LanguageScore.fromJson(readJson(found), found.toString())));
        }
        List<LanguageScore> scores = new ArrayList<>();
        for (MultiplLanguage l : MultiplLanguage.values()) {
            Path f = found.resolve(l.code()).resolve(PASS_AT_K);
            if (Files.isRegularFile(f)) scores.add(LanguageScore.fromJson(readJson(f), f.toString()));
        }
        return new MultiplReport(scores);
    }

    private static String model(JsonNode summary) {
        return summary.path("model").isTextual() ? summary.get("model").asText() : null;
    }

    /** summary.json, a language's pass_at_k.json, or a folder of language folders; null if none. */
    private static Path find(Path dir) {
        for (Path d : List.of(dir, dir.resolve(MultiplFamily.PREFIX))) {
            if (Files.isRegularFile(d.resolve(SUMMARY))) return d.resolve(SUMMARY);
            Path single = d.resolve(PASS_AT_K);
            if (Files.isRegularFile(single) && readJson(single).path("language").isTextual()) return single;
            for (MultiplLanguage l : MultiplLanguage.values()) {
                if (Files.isRegularFile(d.resolve(l.code()).resolve(PASS_AT_K))) return d;
            }
        }
        return null;
    }

    private static JsonNode readJson(Path f) {
        return Json.read(f);
    }
}
