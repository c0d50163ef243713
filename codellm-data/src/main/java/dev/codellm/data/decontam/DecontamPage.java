package dev.codellm.data.decontam;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.io.Json;
import dev.codellm.core.report.Html;
import dev.codellm.core.report.SvgChart;
import dev.codellm.decontam.BenchmarkItem;
import dev.codellm.decontam.DecontamReport;
import dev.codellm.decontam.RecordDecontaminator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * report.html of a decontamination run: the counts, removed records per benchmark (a record that
 * matched two tasks of one benchmark counts once) and per task, and the first removed records with
 * the span they share with the benchmark highlighted. The span is found here, independently of
 * the method that decided: the longest run of words (case-insensitive) the record shares with
 * any text of a task it matched; its neighbourhood is shown, the rest of the record elided.
 */
public final class DecontamPage {
    static final int EXAMPLES = 12, TOP_TASKS = 30, CONTEXT_CHARS = 240, MAX_SCAN_CHARS = 100_000;
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}_]+");

    private DecontamPage() {}

    /** A removed record's shown part: the text before, the shared span, the text after, and where it matched. */
    record Example(List<String> matched, String field, String before, String span, String after, int spanWords) {}

    /** Reads {@code removed.jsonl} in {@code outDir} and writes {@code report.html} next to it. */
    public static void write(Path outDir, String method, DecontamReport r, List<BenchmarkItem> items) {
        Map<String, List<String>> texts = new LinkedHashMap<>();
        for (BenchmarkItem i : items) texts.computeIfAbsent(i.label(), k -> new ArrayList<>()).add(i.text());
        Map<String, Long> perBenchmark = new TreeMap<>();
        List<Example> examples = new ArrayList<>();
        Path removed = outDir.resolve("removed.jsonl");
        if (Files.isRegularFile(removed)) {
            try (BufferedReader in = Files.newBufferedReader(removed, StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.isBlank()) continue;
                    JsonNode rec = Json.MAPPER.readTree(line);
                    List<String> matched = new ArrayList<>();
                    rec.path(RecordDecontaminator.MATCH_FIELD).forEach(m -> matched.add(m.asText()));
                    matched.stream().map(DecontamPage::benchmark).distinct().forEach(b -> perBenchmark.merge(b, 1L, Long::sum));
                    if (examples.size() < EXAMPLES) examples.add(example(rec, matched, texts));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + removed + ": " + e.getMessage(), e);
            }
        }
        Html.write(outDir.resolve("report.html"), "codellm decontam", body(method, r, perBenchmark, examples));
    }

    static String body(String method, DecontamReport r, Map<String, Long> perBenchmark, List<Example> examples) {
        StringBuilder b = new StringBuilder("<h1>codellm decontam</h1>");
        b.append(Html.paragraph(String.format(Locale.ROOT, "Method %s: %d records, %d clean, %d removed (%.2f %%), %d skipped; %.1f MB read.",
                method, r.records, r.clean, r.removed, r.records == 0 ? 0.0 : 100.0 * r.removed / r.records, r.skippedTotal(), r.bytes / 1e6)));
        b.append("<p>Files: <code>clean.jsonl</code>, <code>removed.jsonl</code> (each record with its <code>")
                .append(RecordDecontaminator.MATCH_FIELD).append("</code>), <code>report.json</code>.</p>");
        b.append(Html.heading("Removed records per benchmark"));
        if (perBenchmark.isEmpty()) {
            b.append(Html.paragraph("No record was removed."));
        } else {
            b.append(SvgChart.horizontalBars("removed records per benchmark", perBenchmark));
            List<Map.Entry<String, Long>> tasks = new ArrayList<>(r.tasks.entrySet());
            tasks.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()));
            b.append(Html.heading("Tasks matched most" + (tasks.size() > TOP_TASKS ? " (" + TOP_TASKS + " of " + tasks.size() + ")" : "")));
            List<List<String>> rows = new ArrayList<>();
            for (Map.Entry<String, Long> e : tasks.subList(0, Math.min(TOP_TASKS, tasks.size()))) {
                rows.add(List.of(benchmark(e.getKey()), e.getKey().substring(e.getKey().indexOf(':') + 1), Long.toString(e.getValue())));
            }
            b.append(Html.table(List.of("benchmark", "task", "removed records"), rows));
        }
        if (!r.skipped.isEmpty()) {
            List<List<String>> rows = new ArrayList<>();
            r.skipped.forEach((k, v) -> rows.add(List.of(k, Long.toString(v), r.skippedExample.getOrDefault(k, ""))));
            b.append(Html.heading("Skipped input")).append(Html.table(List.of("reason", "records", "first example"), rows));
        }
        if (!examples.isEmpty()) {
            b.append(Html.heading("First removed records, the span shared with the benchmark highlighted"));
            for (Example e : examples) {
                b.append("<p><b>").append(Html.esc(String.join(", ", e.matched()))).append("</b>")
                        .append(e.field() == null ? "" : " — field <code>" + Html.esc(e.field()) + "</code>")
                        .append(e.spanWords() > 0 ? ", " + e.spanWords() + " words shared" : ", no shared words found (method matched normalised text)")
                        .append("</p><pre class='match'>").append(Html.esc(e.before())).append("<mark>").append(Html.esc(e.span()))
                        .append("</mark>").append(Html.esc(e.after())).append("</pre>");
            }
        }
        return b.toString();
    }

    /** The record's string field sharing the longest word run with a matched task's texts. */
    static Example example(JsonNode rec, List<String> matched, Map<String, List<String>> texts) {
        Example best = null;
        for (Map.Entry<String, JsonNode> f : rec.properties()) {
            if (f.getKey().equals(RecordDecontaminator.MATCH_FIELD) || !f.getValue().isTextual()) continue;
            String text = f.getValue().asText();
            for (String label : matched) {
                for (String bench : texts.getOrDefault(label, List.of())) {
                    Example e = span(f.getKey(), matched, text, bench);
                    if (best == null || e.spanWords() > best.spanWords()) best = e;
                }
            }
        }
        if (best == null) {
            String all = rec.toString();
            return new Example(matched, null, cut(all, CONTEXT_CHARS * 2, false), "", "", 0);
        }
        return best;
    }

    /** The longest common run of words (case-insensitive) of {@code text} and {@code bench}, and its neighbourhood in {@code text}. */
    static Example span(String field, List<String> matched, String text, String bench) {
        String scanned = text.length() > MAX_SCAN_CHARS ? text.substring(0, MAX_SCAN_CHARS) : text;
        List<int[]> at = new ArrayList<>();
        List<String> a = words(scanned, at), b = words(bench, null);
        int[] prev = new int[b.size() + 1], cur = new int[b.size() + 1];
        int bestLen = 0, bestEnd = -1;
        for (int i = 1; i <= a.size(); i++) {
            for (int j = 1; j <= b.size(); j++) {
                cur[j] = a.get(i - 1).equals(b.get(j - 1)) ? prev[j - 1] + 1 : 0;
                if (cur[j] > bestLen) {
                    bestLen = cur[j];
                    bestEnd = i - 1;
                }
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        if (bestLen == 0) return new Example(matched, field, cut(text, CONTEXT_CHARS * 2, false), "", "", 0);
        int from = at.get(bestEnd - bestLen + 1)[0], to = at.get(bestEnd)[1];
        return new Example(matched, field, cut(text.substring(0, from), CONTEXT_CHARS, true), text.substring(from, to),
                cut(text.substring(to), CONTEXT_CHARS, false), bestLen);
    }

    private static List<String> words(String s, List<int[]> at) {
        List<String> out = new ArrayList<>();
        Matcher m = WORD.matcher(s);
        while (m.find()) {
            out.add(m.group().toLowerCase(Locale.ROOT));
            if (at != null) at.add(new int[] {m.start(), m.end()});
        }
        return out;
    }

    /** At most {@code n} chars of {@code s}: its end ({@code tail}) or its start, "…" where cut. */
    private static String cut(String s, int n, boolean tail) {
        if (s.length() <= n) return s;
        return tail ? "…" + s.substring(s.length() - n) : s.substring(0, n) + "…";
    }

    private static String benchmark(String label) {
        int i = label.indexOf(':');
        return i < 0 ? label : label.substring(0, i);
    }
}
