package dev.codellm.data.ossinstruct;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Generator;
import dev.codellm.core.io.Json;
import dev.codellm.core.io.Jsonl;
import dev.codellm.core.io.OutputFiles;
import dev.codellm.data.report.JobReport;
import dev.codellm.data.teacher.TeacherClient;
import dev.codellm.decontam.RecordDecontaminator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The whole OSS-Instruct run in one output directory, each stage a file users keep:
 * {@code seeds.jsonl} (made once, reused on rerun), {@code responses.jsonl} (append-only
 * teacher answers, resumable), {@code data.jsonl} + {@code rejected.jsonl} (curated),
 * one export per format, {@code report.json} and {@code report.html} (the funnel).
 */
public final class OssInstructPipeline {

    public record Config(Path corpus, int seeds, long seed, TeacherClient.Options teacher, Curator.Options curate,
                         List<Exports.Format> formats, double pricePromptPerMillion, double priceCompletionPerMillion) {}

    private final Config config;
    private final PrintStream log;

    public OssInstructPipeline(Config config, PrintStream log) {
        this.config = config;
        this.log = log;
    }

    /** Runs every stage; returns the report (also written to OUT/report.json). */
    public Map<String, Object> run(Generator teacher, RecordDecontaminator decontaminator, Path out) throws IOException {
        Files.createDirectories(out);
        Map<String, Object> report = new LinkedHashMap<>();
        Path seedsFile = out.resolve("seeds.jsonl");
        List<Seed> seeds;
        Map<String, Object> seedReport = new LinkedHashMap<>();
        if (Files.exists(seedsFile)) {
            seeds = new ArrayList<>(Curator.readSeeds(seedsFile).values());
            seedReport.put("reused", seedsFile.toString());
        } else {
            if (config.corpus() == null) throw new CodellmException("no " + seedsFile + " yet: give --corpus to extract seeds");
            SeedExtractor ex = SeedExtractor.magicoder();
            seeds = ex.extract(config.corpus(), config.seeds(), config.seed());
            StringBuilder lines = new StringBuilder();
            for (Seed s : seeds) lines.append(Json.line(s)).append('\n');
            OutputFiles.writeAtomically(seedsFile, lines.toString());
            seedReport.put("corpus", config.corpus().toString());
            seedReport.put("seed", config.seed());
            seedReport.put("skipped", ex.skipped);
        }
        Map<String, Integer> byLang = new TreeMap<>();
        for (Seed s : seeds) byLang.merge(s.lang(), 1, Integer::sum);
        seedReport.put("count", seeds.size());
        seedReport.put("by_language", byLang);
        report.put("seeds", seedReport);
        if (log != null) log.println("seeds: " + seeds.size() + " " + byLang);

        Path responses = out.resolve("responses.jsonl");
        TeacherRun.Stats asked = null;
        if (teacher != null) {
            TeacherRun.Stats t = new TeacherRun(new TeacherClient(teacher, config.teacher()), log).run(seeds, responses);
            asked = t;
            Map<String, Object> tr = new LinkedHashMap<>();
            tr.put("model", teacher.info().name());
            tr.put("already_answered", t.alreadyDone());
            tr.put("answered_now", t.answered());
            tr.put("failed_now", t.failed());
            tr.put("failures", t.failures());
            tr.put("torn_lines_ignored", t.tornLines());
            report.put("teacher", tr);
            if (log != null) log.println("teacher: " + t.answered() + " answered, " + t.alreadyDone() + " already done, " + t.failed() + " failed " + t.failures());
            if (t.answered() == 0 && t.failed() > 0) {
                Json.write(out.resolve("report.json"), report);
                throw TeacherRun.nothingAnswered(t, out.resolve("report.json"));
            }
        }
        if (!Files.exists(responses)) throw new CodellmException("no teacher answers yet (" + responses + "): give --endpoint");
        report.put("tokens", tokenTotals(responses));

        Curator.Stats c = new Curator(config.curate(), decontaminator)
                .curate(Curator.readSeeds(seedsFile), responses, out.resolve("data.jsonl"), out.resolve("rejected.jsonl"));
        Map<String, Object> cr = new LinkedHashMap<>();
        cr.put("answers", c.answers());
        cr.put("kept", c.kept());
        cr.put("rejected", c.rejected());
        report.put("curation", cr);
        if (log != null) log.println("curation: kept " + c.kept() + " of " + c.answers() + ", rejected " + c.rejected());

        report.put("exports", Exports.writeAll(out, config.formats()));
        writeReport(out, report, seeds.size(), asked, c, teacher == null ? null : teacher.info().name());
        return report;
    }

    /**
     * report.json and report.html: the funnel seeds → asked → answered → parsed → kept (asked only
     * when this run called the teacher), the rejections by reason, the teacher's failures, and a
     * link to analysis.html (categories, lengths, similarity to HumanEval) when --analyze wrote it.
     */
    public static void writeReport(Path out, Map<String, Object> report, int seeds, TeacherRun.Stats asked, Curator.Stats c, String teacher) {
        Map<String, Integer> funnel = new LinkedHashMap<>();
        funnel.put("seeds", seeds);
        if (asked != null) funnel.put("asked the teacher", asked.alreadyDone() + asked.answered() + asked.failed());
        funnel.put("answered", c.answers());
        funnel.put("parsed (problem + solution)", c.parsed());
        funnel.put("kept", c.kept());
        List<JobReport.Table> tables = new ArrayList<>();
        tables.add(new JobReport.Table("Rejected answers by reason", List.of("reason", "answers"), JobReport.rows(mostFirst(c.rejected()))));
        if (asked != null && !asked.failures().isEmpty()) {
            tables.add(new JobReport.Table("Teacher calls that failed", List.of("error", "seeds"), JobReport.rows(mostFirst(asked.failures()))));
        }
        String intro = "<p>Categories, problem lengths and similarity to HumanEval: <a href='analysis.html'>analysis.html</a>"
                + " (written by <code>--analyze</code>); rejected answers with their reason: <code>rejected.jsonl</code>.</p>";
        JobReport.write(out, "codellm oss-instruct" + (teacher == null ? "" : ": " + teacher), report, funnel, tables, intro);
    }

    /** Reason → count, the most frequent first (ties by name). */
    private static Map<String, Integer> mostFirst(Map<String, Integer> counts) {
        Map<String, Integer> out = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** Token accounting over every answer in the file (all runs), with the cost at the given prices. */
    private Map<String, Object> tokenTotals(Path responses) {
        long prompt = 0, completion = 0, answers = 0;
        for (Jsonl.Line l : Jsonl.readTolerant(responses).lines()) {
            JsonNode n = l.json();
            if (!n.has("seed_id")) continue;
            prompt += n.path("prompt_tokens").asLong();
            completion += n.path("completion_tokens").asLong();
            answers++;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("answers", answers);
        m.put("prompt_tokens", prompt);
        m.put("completion_tokens", completion);
        m.put("total_tokens", prompt + completion);
        m.put("cost_usd", Math.round((prompt * config.pricePromptPerMillion() + completion * config.priceCompletionPerMillion()) / 1e6 * 1e4) / 1e4);
        return m;
    }
}
