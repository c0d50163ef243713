package dev.codellm.eval.multipl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The tables a MultiPL-E run ends with: the Code Llama paper's layout (C++, Java, PHP, TS, C#,
 * Bash and their average) plus the other languages, as text, {@code summary.json} and
 * {@code report.html}.
 */
public final class MultiplReport {
    /** The paper's columns, in its order. */
    public static final List<MultiplLanguage> PAPER = List.of(MultiplLanguage.CPP, MultiplLanguage.JAVA, MultiplLanguage.PHP,
            MultiplLanguage.TS, MultiplLanguage.CS, MultiplLanguage.SH);

    private final List<LanguageScore> scores;

    public MultiplReport(List<LanguageScore> scores) {
        this.scores = List.copyOf(scores);
    }

    /** Average pass@1 over the paper's languages that were scored, or NaN if none was. */
    public double paperAverage() {
        return scores.stream().filter(s -> PAPER.contains(s.language()) && s.scored())
                .mapToDouble(LanguageScore::passAt1).average().orElse(Double.NaN);
    }

    /** One row per language, then the paper-style row. */
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
                    s.samplesPerTask(), 100 * s.passAt1(), count(s, Status.OK), count(s, Status.Exception),
                    count(s, Status.SyntaxError), count(s, Status.Timeout),
                    s.flagged() > 0 ? String.format(Locale.ROOT, "  (%d tasks unpassable in v2.x; %.1f%% without them)",
                            s.flagged(), 100 * s.passAtKUnflagged().getOrDefault("pass@1", Double.NaN)) : ""));
        }
        sb.append("\nCode Llama paper layout, pass@1 (%):\n");
        StringBuilder head = new StringBuilder(), row = new StringBuilder();
        for (MultiplLanguage l : PAPER) {
            head.append(String.format(Locale.ROOT, "%8s", l == MultiplLanguage.TS ? "TS" : l.displayName()));
            row.append(String.format(Locale.ROOT, "%8s", cell(find(l))));
        }
        head.append(String.format(Locale.ROOT, "%9s", "Average"));
        row.append(String.format(Locale.ROOT, "%9s", Double.isNaN(paperAverage()) ? "-" : String.format(Locale.ROOT, "%.1f", 100 * paperAverage())));
        return sb.append(head).append('\n').append(row).append('\n').toString();
    }

    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        ArrayNode langs = root.putArray("languages");
        for (LanguageScore s : scores) langs.add(MultiplRun.toJson(s));
        if (!Double.isNaN(paperAverage())) root.put("paper_average_pass@1", paperAverage());
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("summary.json").toFile(), root);
        Files.writeString(dir.resolve("report.html"), html(), StandardCharsets.UTF_8);
    }

    /** A page with the table and a bar per language (inline SVG, no scripts). */
    String html() {
        StringBuilder sb = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>MultiPL-E report</title>"
                + "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
                + "padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}</style></head><body>"
                + "<h1>MultiPL-E HumanEval (v2.x)</h1><table><tr><th>language</th><th>problems</th><th>n</th><th>pass@1</th>"
                + "<th>OK</th><th>Exception</th><th>SyntaxError</th><th>Timeout</th></tr>");
        for (LanguageScore s : scores) {
            sb.append("<tr><td>").append(s.language().displayName()).append("</td>");
            if (!s.scored()) {
                sb.append("<td colspan=7>toolchain missing: apt-get install ").append(String.join(" ", s.missingPackages())).append("</td></tr>");
                continue;
            }
            sb.append(String.format(Locale.ROOT, "<td>%d</td><td>%d</td><td>%.1f%%</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr>",
                    s.problems(), s.samplesPerTask(), 100 * s.passAt1(), count(s, Status.OK), count(s, Status.Exception),
                    count(s, Status.SyntaxError), count(s, Status.Timeout)));
        }
        sb.append("</table><h2>pass@1 by language</h2>");
        int barH = 22, width = 420;
        sb.append(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">", width + 160, barH * scores.size() + 10));
        int y = 5;
        for (LanguageScore s : scores) {
            double v = s.scored() ? s.passAt1() : 0;
            sb.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"%d\" font-size=\"13\">%s</text>", y + 15, s.language().displayName()));
            sb.append(String.format(Locale.ROOT, "<rect x=\"100\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#4a7ebb\"/>", y + 2, v * width, barH - 6));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%s</text>", 105 + v * width, y + 15, cell(s)));
            y += barH;
        }
        sb.append("</svg><h2>Code Llama paper layout</h2><pre>").append(text().replace("&", "&amp;").replace("<", "&lt;"))
                .append("</pre></body></html>\n");
        return sb.toString();
    }

    private LanguageScore find(MultiplLanguage l) {
        return scores.stream().filter(s -> s.language() == l).findFirst().orElse(null);
    }

    private static String cell(LanguageScore s) {
        if (s == null) return "-";
        if (!s.scored()) return "n/a";
        return String.format(Locale.ROOT, "%.1f", 100 * s.passAt1());
    }

    private static int count(LanguageScore s, Status st) {
        return s.statusCounts().getOrDefault(st, 0);
    }
}
