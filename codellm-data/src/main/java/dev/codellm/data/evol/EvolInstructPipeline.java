package dev.codellm.data.evol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Completion;
import dev.codellm.core.Generator;
import dev.codellm.core.WorkPool;
import dev.codellm.core.io.Json;
import dev.codellm.core.io.Jsonl;
import dev.codellm.core.io.OutputFiles;
import dev.codellm.data.curate.PairFilter;
import dev.codellm.data.ossinstruct.Exports;
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
import java.util.concurrent.Callable;

/**
 * Evol-Instruct as WizardCoder describes it and MagicoderS used it: every instruction is
 * rewritten by the teacher with one randomly chosen {@link EvolOperation}, failed evolutions are
 * dropped ({@link EvolPrompt#failure}), the teacher answers each surviving rewrite, and the
 * survivors of round k are the inputs of round k+1. All rounds' evolved pairs are then
 * deduplicated and decontaminated ({@link PairFilter}) and exported like OSS-Instruct's data.
 *
 * <p>Files in the output directory, each kept: {@code seeds.jsonl} (the instructions, made once),
 * {@code evolutions.jsonl} (append-only: one line per step, kept or failed with its reason, so a
 * killed run resumes where it stopped; a step whose teacher call failed is not written and is
 * asked again by the next run), {@code data.jsonl} + {@code rejected.jsonl}, the exports,
 * {@code report.json} and {@code report.html} (the funnel).
 */
public final class EvolInstructPipeline {
    static final String SEEDS = "seeds.jsonl", EVOLUTIONS = "evolutions.jsonl";
    static final String OK = "evolved", FAILED = "failed";

    public record Config(Path input, int maxSeeds, int rounds, long seed, TeacherClient.Options teacher, double nearDupThreshold,
                         List<Exports.Format> formats) {
        public Config {
            if (rounds < 1) throw new IllegalArgumentException("--rounds must be >= 1");
        }
    }

    private final Config config;
    private final PrintStream log;

    public EvolInstructPipeline(Config config, PrintStream log) {
        this.config = config;
        this.log = log;
    }

    /** Runs every round that has work left, then curation and exports; returns the report (also OUT/report.json). */
    public Map<String, Object> run(Generator generator, RecordDecontaminator decontaminator, Path out) throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(out);
        Map<String, Object> report = new LinkedHashMap<>();
        List<EvolInput.Instruction> seeds = seeds(out, report);
        TeacherClient teacher = new TeacherClient(generator, config.teacher());
        Path file = out.resolve(EVOLUTIONS);
        Map<String, ObjectNode> steps = new LinkedHashMap<>();
        for (Jsonl.Line l : Jsonl.readTolerant(file).lines()) steps.putIfAbsent(l.json().path("id").asText(), l.json());

        List<Map<String, Object>> rounds = new ArrayList<>();
        Map<String, Integer> teacherErrors = new TreeMap<>();
        List<EvolInput.Instruction> inputs = seeds;
        try (Jsonl.Appender appender = new Jsonl.Appender(file)) {
            for (int round = 1; round <= config.rounds(); round++) {
                int r = round;
                List<EvolInput.Instruction> todo = inputs.stream().filter(i -> !steps.containsKey(stepId(i, r))).toList();
                List<Callable<ObjectNode>> jobs = new ArrayList<>();
                for (EvolInput.Instruction in : todo) jobs.add(() -> step(teacher, in, r, appender));
                List<WorkPool.Outcome<ObjectNode>> outcomes = teacher.runEach("evol-instruct round " + r, jobs, log);
                Map<String, Integer> errors = TeacherClient.failures(outcomes);
                for (WorkPool.Outcome<ObjectNode> o : outcomes) if (o.ok()) steps.put(o.value().path("id").asText(), o.value());
                errors.forEach((k, v) -> teacherErrors.merge(k, v, Integer::sum));
                List<ObjectNode> done = inputs.stream().map(i -> steps.get(stepId(i, r))).filter(s -> s != null).toList();
                rounds.add(roundReport(r, inputs.size(), todo.size(), done, errors));
                if (log != null) log.println("round " + r + ": " + rounds.get(rounds.size() - 1));
                if (!todo.isEmpty() && outcomes.stream().noneMatch(WorkPool.Outcome::ok) && steps.isEmpty()) {
                    report.put("rounds", rounds);
                    report.put("teacher", teacherReport(teacher, teacherErrors, t0));
                    Json.write(out.resolve("report.json"), report);
                    throw TeacherClient.nothingAnswered(todo.size(), "instructions", errors, out.resolve("report.json"));
                }
                inputs = done.stream().filter(s -> OK.equals(s.path("status").asText()))
                        .map(s -> new EvolInput.Instruction(s.path("id").asText(), s.path("instruction").asText())).toList();
            }
        }
        report.put("rounds", rounds);
        report.put("teacher", teacherReport(teacher, teacherErrors, t0));

        Map<String, Object> curation = curate(steps.values(), decontaminator, out);
        report.put("curation", curation);
        report.put("exports", Exports.writeAll(out, config.formats()));

        Map<String, Integer> funnel = new LinkedHashMap<>();
        funnel.put("seeds", seeds.size());
        for (Map<String, Object> rr : rounds) funnel.put("round " + rr.get("round") + " evolved and answered", (Integer) rr.get("evolved"));
        funnel.put("all rounds", (Integer) curation.get("candidates"));
        funnel.put("after dedup", (Integer) curation.get("candidates") - (Integer) curation.get("duplicates"));
        funnel.put("kept (decontaminated)", (Integer) curation.get("kept"));
        report.put("funnel", funnel);
        List<JobReport.Table> tables = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        for (Map<String, Object> rr : rounds) {
            rows.add(List.of(rr.get("round").toString(), rr.get("inputs").toString(), rr.get("evolved").toString(),
                    rr.get("failed").toString(), rr.get("operations").toString(), rr.get("teacher_errors").toString()));
        }
        tables.add(new JobReport.Table("Rounds", List.of("round", "inputs", "evolved and answered", "failed evolutions", "operations", "teacher errors"), rows));
        @SuppressWarnings("unchecked")
        Map<String, Integer> rejected = (Map<String, Integer>) curation.get("rejected");
        tables.add(new JobReport.Table("Curation: rejected", List.of("reason", "records"), JobReport.rows(rejected)));
        JobReport.write(out, "codellm evol-instruct: " + teacher.model(), report, funnel, tables);
        return report;
    }

    /** seeds.jsonl: read when present (a rerun), else made from --input. */
    private List<EvolInput.Instruction> seeds(Path out, Map<String, Object> report) {
        Path seedsFile = out.resolve(SEEDS);
        Map<String, Object> seedReport = new LinkedHashMap<>();
        List<EvolInput.Instruction> seeds = new ArrayList<>();
        if (Files.exists(seedsFile)) {
            for (Jsonl.Line l : Jsonl.read(seedsFile, "seeds file")) seeds.add(new EvolInput.Instruction(l.json().path("id").asText(), l.json().path("instruction").asText()));
            seedReport.put("reused", seedsFile.toString());
        } else {
            if (config.input() == null) throw new CodellmException("no " + seedsFile + " yet: give --input (instruction jsonl to evolve)");
            EvolInput.Read read = EvolInput.read(config.input(), config.maxSeeds());
            if (read.instructions().isEmpty()) throw new CodellmException("no instruction in " + config.input() + " (skipped: " + read.skipped() + ")");
            StringBuilder sb = new StringBuilder();
            for (EvolInput.Instruction i : read.instructions()) {
                sb.append(Json.line(Json.MAPPER.createObjectNode().put("id", i.id()).put("instruction", i.text()))).append('\n');
            }
            OutputFiles.writeAtomically(seedsFile, sb.toString());
            seeds.addAll(read.instructions());
            seedReport.put("input", config.input().toString());
            seedReport.put("skipped", read.skipped());
        }
        seedReport.put("count", seeds.size());
        seedReport.put("rounds", config.rounds());
        seedReport.put("seed", config.seed());
        report.put("seeds", seedReport);
        return seeds;
    }

    /** The id of the step that evolves {@code in} in round {@code round}: the seed's id and the round. */
    static String stepId(EvolInput.Instruction in, int round) {
        String id = in.id();
        int cut = id.lastIndexOf("/r");
        String root = cut >= 0 ? id.substring(0, cut) : id;
        return root + "/r" + round;
    }

    /** One step: rewrite (with this record's operation), check, answer, check; appended as one line. */
    private ObjectNode step(TeacherClient teacher, EvolInput.Instruction in, int round, Jsonl.Appender out) throws InterruptedException {
        EvolOperation op = EvolOperation.pick(config.seed(), in.id(), round);
        Completion evolved = teacher.chat(EvolPrompt.evolve(in.text(), op));
        String task = EvolPrompt.rewritten(evolved.text());
        ObjectNode line = Json.MAPPER.createObjectNode().put("id", stepId(in, round)).put("parent", in.id()).put("round", round)
                .put("operation", op.id()).put("model", teacher.model());
        long promptTokens = evolved.usage().promptTokens(), completionTokens = evolved.usage().completionTokens();
        String why = EvolPrompt.failure(in.text(), task);
        if (why == null) {
            Completion answer = teacher.chat(EvolPrompt.solve(task));
            promptTokens += answer.usage().promptTokens();
            completionTokens += answer.usage().completionTokens();
            String bad = EvolPrompt.answerFailure(answer.text());
            line.put("instruction", task).put("solution", answer.text());
            if (bad == null) line.put("status", OK);
            else line.put("status", FAILED).put("reason", bad);
        } else {
            line.put("instruction", task).put("status", FAILED).put("reason", why);
        }
        line.put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens);
        out.append(line);
        return line;
    }

    private static Map<String, Object> roundReport(int round, int inputs, int asked, List<ObjectNode> done, Map<String, Integer> errors) {
        Map<String, Integer> failed = new TreeMap<>(), ops = new TreeMap<>();
        int ok = 0;
        for (ObjectNode s : done) {
            ops.merge(s.path("operation").asText(), 1, Integer::sum);
            if (OK.equals(s.path("status").asText())) ok++;
            else failed.merge(s.path("reason").asText(), 1, Integer::sum);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("round", round);
        m.put("inputs", inputs);
        m.put("asked_now", asked);
        m.put("evolved", ok);
        m.put("failed", failed);
        m.put("operations", ops);
        m.put("teacher_errors", errors);
        return m;
    }

    private static Map<String, Object> teacherReport(TeacherClient t, Map<String, Integer> errors, long t0) {
        double secs = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", t.model());
        m.put("requests_now", t.requests());
        m.put("seconds_now", Math.round(secs * 10) / 10.0);
        m.put("requests_per_second", secs > 0 ? Math.round(t.requests() / secs * 100) / 100.0 : 0);
        m.put("prompt_tokens_now", t.promptTokens());
        m.put("completion_tokens_now", t.completionTokens());
        m.put("errors", errors);
        return m;
    }

    /** Every evolved pair (all rounds, in file order) through the pair filter; failed evolutions are listed as rejected too. */
    private Map<String, Object> curate(Iterable<ObjectNode> steps, RecordDecontaminator decontaminator, Path out) throws IOException {
        PairFilter filter = new PairFilter(config.nearDupThreshold(), decontaminator);
        Map<String, Integer> rejected = new TreeMap<>();
        int candidates = 0, kept = 0, duplicates = 0;
        StringBuilder data = new StringBuilder(), rej = new StringBuilder();
        for (ObjectNode s : steps) {
            if (!OK.equals(s.path("status").asText())) {
                String reason = "failed evolution: " + s.path("reason").asText();
                rejected.merge(reason, 1, Integer::sum);
                rej.append(Json.line(s.deepCopy().put("reject_reason", reason))).append('\n');
                continue;
            }
            candidates++;
            PairFilter.Rejection r = filter.check(s.path("instruction").asText(), s.path("solution").asText());
            if (r != null) {
                if (!r.reason().equals(PairFilter.CONTAMINATED)) duplicates++;
                rejected.merge(r.reason(), 1, Integer::sum);
                ObjectNode o = s.deepCopy().put("reject_reason", r.reason());
                if (r.detail() != null) o.put("detail", r.detail());
                rej.append(Json.line(o)).append('\n');
                continue;
            }
            JsonNode id = s.path("id");
            ObjectNode rec = Json.MAPPER.createObjectNode().put("id", id.asText()).put("seed_id", id.asText().replaceFirst("/r\\d+$", ""))
                    .put("round", s.path("round").asInt()).put("operation", s.path("operation").asText())
                    .put("problem", s.path("instruction").asText()).put("solution", s.path("solution").asText()).put("model", s.path("model").asText());
            data.append(Json.line(rec)).append('\n');
            kept++;
        }
        OutputFiles.writeAtomically(out.resolve("data.jsonl"), data.toString());
        OutputFiles.writeAtomically(out.resolve("rejected.jsonl"), rej.toString());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("candidates", candidates);
        m.put("duplicates", duplicates);
        m.put("kept", kept);
        m.put("rejected", rejected);
        return m;
    }
}
