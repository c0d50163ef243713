package dev.codellm.data.selfinstruct;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Completion;
import dev.codellm.core.Generator;
import dev.codellm.core.WorkPool;
import dev.codellm.core.io.Json;
import dev.codellm.core.io.Jsonl;
import dev.codellm.core.io.OutputFiles;
import dev.codellm.data.curate.PairFilter;
import dev.codellm.data.evol.EvolInput;
import dev.codellm.data.ossinstruct.Exports;
import dev.codellm.data.report.JobReport;
import dev.codellm.data.teacher.TeacherClient;
import dev.codellm.decontam.RecordDecontaminator;
import dev.codellm.eval.exec.SampleResult;
import dev.codellm.eval.gen.Sanitizer;
import dev.codellm.eval.tasks.AssertTests;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * Code Llama's self-instruct with execution feedback (Rozière et al. 2023, §2.5): the teacher
 * writes interview-style questions per topic (deduplicated), the solver writes unit tests for
 * each, then up to {@code solutions} answers; each answer runs against the tests in eval's
 * sandbox ({@link AssertTests}, the executor HumanEval's asserts run in) and the first that
 * passes is kept. Answers are asked one after another and the asking stops at the first pass:
 * the kept answer is the same first passing one Code Llama's "ten, keep the first" keeps.
 * Kept pairs are deduplicated and decontaminated ({@link PairFilter}) and exported like
 * OSS-Instruct's data.
 *
 * <p>Files, each kept and appended as work finishes so a rerun resumes: {@code questions.jsonl}
 * (one line per topic), {@code tests.jsonl} (one per question), {@code solutions.jsonl} (one per
 * question with tests: every attempt's verdict); then {@code data.jsonl}, {@code rejected.jsonl},
 * the exports, {@code report.json} and {@code report.html} (the funnel). A step whose model call
 * failed is not written, so the next run asks it again.
 */
public final class SelfInstructPipeline {
    static final String QUESTIONS = "questions.jsonl", TESTS = "tests.jsonl", SOLUTIONS = "solutions.jsonl";

    /**
     * @param topics          the seed list (questions are asked per topic)
     * @param questionsFile   instruction jsonl whose instructions are the questions (stage 1 skipped), or null
     * @param teacher         the questions' client options
     * @param solver          the tests' and answers' client options (answers sampled with its temperature)
     */
    public record Config(List<String> topics, Path questionsFile, int questionsPerTopic, int solutions, TeacherClient.Options teacher,
                         TeacherClient.Options solver, double nearDupThreshold, List<Exports.Format> formats) {
        public Config {
            if (topics.isEmpty()) throw new IllegalArgumentException("no topics");
            if (questionsPerTopic < 1) throw new IllegalArgumentException("--questions-per-topic must be >= 1");
            if (solutions < 1) throw new IllegalArgumentException("--solutions must be >= 1");
        }
    }

    /** A question to answer, after deduplication. */
    record Question(String id, String topic, String text) {}

    private final Config config;
    private final PrintStream log;

    public SelfInstructPipeline(Config config, PrintStream log) {
        this.config = config;
        this.log = log;
    }

    /** Topics from a file: one per line (blank lines and {@code #} comments skipped). */
    public static List<String> readTopics(Path file) {
        try {
            List<String> t = Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty() && !s.startsWith("#")).distinct().toList();
            if (t.isEmpty()) throw new CodellmException("no topic in " + file);
            return t;
        } catch (IOException e) {
            throw new CodellmException("cannot read topics " + file + ": " + e.getMessage());
        }
    }

    /** Runs the stages with work left, then curation and exports; returns the report (also OUT/report.json). */
    public Map<String, Object> run(Generator teacherModel, Generator solverModel, AssertTests judge, RecordDecontaminator decontaminator, Path out)
            throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(out);
        TeacherClient teacher = new TeacherClient(teacherModel, config.teacher());
        TeacherClient solver = solverModel == teacherModel && config.solver().equals(config.teacher()) ? teacher
                : new TeacherClient(solverModel, config.solver());
        Map<String, Object> report = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> errors = new LinkedHashMap<>();

        // 1. questions, per topic (or given)
        List<Question> questions = new ArrayList<>();
        int duplicateQuestions = 0, asked = 0;
        if (config.questionsFile() != null) {
            EvolInput.Read given = EvolInput.read(config.questionsFile(), 0);  // the one reader of instruction records; repeats skipped
            for (EvolInput.Instruction i : given.instructions()) questions.add(new Question("q-" + i.id(), "given", i.text()));
            asked = questions.size() + given.skipped().values().stream().mapToInt(Integer::intValue).sum();
            duplicateQuestions = given.skipped().getOrDefault("duplicate instruction", 0);
            if (questions.isEmpty()) throw new CodellmException("no question in " + config.questionsFile() + " (skipped: " + given.skipped() + ")");
        } else {
            List<String> topicIds = new ArrayList<>();
            for (int i = 0; i < config.topics().size(); i++) topicIds.add("t" + i);
            Map<String, JsonNode> byTopic = stage(QUESTIONS, topicIds, "self-instruct questions", teacher, errors, report, out, id -> () -> {
                String topic = config.topics().get(Integer.parseInt(id.substring(1)));
                Completion c = teacher.chat(SelfInstructPrompt.questions(topic, config.questionsPerTopic()));
                ArrayNode qs = Json.MAPPER.createArrayNode();
                SelfInstructPrompt.parseQuestions(c.text()).forEach(qs::add);
                ObjectNode line = Json.MAPPER.createObjectNode().put("id", id).put("topic", topic).put("model", teacher.model());
                line.set("questions", qs);
                if (qs.isEmpty()) line.put("answer", c.text());
                return line;
            });
            Set<String> seen = new HashSet<>();
            for (String tid : topicIds) {
                JsonNode line = byTopic.get(tid);
                if (line == null) continue;
                int k = 0;
                for (JsonNode q : line.path("questions")) {
                    asked++;
                    if (!seen.add(SelfInstructPrompt.key(q.asText()))) {
                        duplicateQuestions++;
                        continue;
                    }
                    questions.add(new Question(tid + "-q" + k++, line.path("topic").asText(), q.asText()));
                }
            }
        }
        Map<String, Question> qById = new LinkedHashMap<>();
        questions.forEach(q -> qById.put(q.id(), q));

        // 2. unit tests, per question
        Map<String, JsonNode> tests = stage(TESTS, new ArrayList<>(qById.keySet()), "self-instruct tests", solver, errors, report, out, id -> () -> {
            Completion c = solver.chat(SelfInstructPrompt.tests(qById.get(id).text()));
            SelfInstructPrompt.Tests t = SelfInstructPrompt.parseTests(c.text());
            ObjectNode line = Json.MAPPER.createObjectNode().put("id", id).put("model", solver.model());
            if (t == null) return line.put("status", "no tests").put("answer", c.text());
            line.put("status", "ok").put("signature", t.signature()).put("entry_point", t.entryPoint());
            ArrayNode a = line.putArray("tests");
            t.asserts().forEach(a::add);
            return line;
        });
        List<String> withTests = qById.keySet().stream().filter(id -> tests.containsKey(id) && "ok".equals(tests.get(id).path("status").asText())).toList();

        // 3 + 4. answers until one passes its tests in the sandbox
        Map<String, JsonNode> solved = stage(SOLUTIONS, withTests, "self-instruct solutions", solver, errors, report, out, id -> () -> {
            JsonNode t = tests.get(id);
            List<String> asserts = new ArrayList<>();
            t.path("tests").forEach(a -> asserts.add(a.asText()));
            ObjectNode line = Json.MAPPER.createObjectNode().put("id", id).put("model", solver.model());
            ArrayNode attempts = line.putArray("attempts");
            for (int k = 0; k < config.solutions(); k++) {
                Completion c = solver.chat(SelfInstructPrompt.solution(qById.get(id).text(), t.path("signature").asText()));
                String program = Sanitizer.sanitize(c.text(), t.path("entry_point").asText());
                SampleResult r = program.isBlank() ? new SampleResult(SampleResult.FAIL, null, null, null, "no code in the answer", 0)
                        : judge.run(id + "/" + k, program, asserts);
                ObjectNode a = attempts.addObject().put("status", r.baseStatus());
                if (r.error() != null) a.put("error", TeacherClient.reason(new RuntimeException(r.error())));
                if (r.baseFailTest() != null) a.set("failed_test", r.baseFailTest());
                if (r.basePassed()) {
                    line.put("passed_at", k).put("solution", program).put("answer", c.text());
                    break;
                }
            }
            return line;
        });

        Map<String, Object> teacherReport = new LinkedHashMap<>();
        double secs = (System.nanoTime() - t0) / 1e9;
        for (TeacherClient c : solver == teacher ? List.of(teacher) : List.of(teacher, solver)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", c.model());
            m.put("requests_now", c.requests());
            m.put("requests_per_second", secs > 0 ? Math.round(c.requests() / secs * 100) / 100.0 : 0);
            m.put("prompt_tokens_now", c.promptTokens());
            m.put("completion_tokens_now", c.completionTokens());
            teacherReport.put(c == teacher ? "teacher" : "solver", m);
        }
        teacherReport.put("seconds_now", Math.round(secs * 10) / 10.0);
        teacherReport.put("errors", errors);
        report.put("models", teacherReport);

        // 5. curation: the kept pairs, deduplicated and decontaminated
        PairFilter filter = new PairFilter(config.nearDupThreshold(), decontaminator);
        Map<String, Integer> rejected = new TreeMap<>(), attemptsToPass = new TreeMap<>();
        StringBuilder data = new StringBuilder(), rej = new StringBuilder();
        int passing = 0, kept = 0;
        for (String id : withTests) {
            JsonNode s = solved.get(id);
            if (s == null) continue;
            if (!s.has("passed_at")) {
                rejected.merge("no passing solution in " + config.solutions(), 1, Integer::sum);
                continue;
            }
            passing++;
            attemptsToPass.merge(Integer.toString(s.path("passed_at").asInt() + 1), 1, Integer::sum);
            Question q = qById.get(id);
            PairFilter.Rejection r = filter.check(q.text(), s.path("solution").asText());
            ObjectNode rec = Json.MAPPER.createObjectNode().put("id", id).put("topic", q.topic()).put("problem", q.text())
                    .put("solution", s.path("solution").asText()).put("attempts", s.path("passed_at").asInt() + 1).put("model", s.path("model").asText());
            rec.set("tests", tests.get(id).path("tests"));
            if (r != null) {
                rejected.merge(r.reason(), 1, Integer::sum);
                rec.put("reject_reason", r.reason());
                if (r.detail() != null) rec.put("detail", r.detail());
                rej.append(Json.line(rec)).append('\n');
                continue;
            }
            data.append(Json.line(rec)).append('\n');
            kept++;
        }
        OutputFiles.writeAtomically(out.resolve("data.jsonl"), data.toString());
        OutputFiles.writeAtomically(out.resolve("rejected.jsonl"), rej.toString());
        Map<String, Object> curation = new LinkedHashMap<>();
        curation.put("questions_asked", asked);
        curation.put("duplicate_questions", duplicateQuestions);
        curation.put("attempts_to_first_pass", attemptsToPass);
        curation.put("kept", kept);
        curation.put("rejected", rejected);
        report.put("curation", curation);

        report.put("exports", Exports.writeAll(out, config.formats()));

        Map<String, Integer> funnel = JobReport.funnel("questions (deduplicated)", questions.size(), "with tests", withTests.size(),
                "any passing", passing, "kept (deduplicated, decontaminated)", kept);
        report.put("funnel", funnel);
        List<JobReport.Table> tables = new ArrayList<>();
        tables.add(new JobReport.Table("Answers asked until the first pass", List.of("answers", "questions"), JobReport.rows(attemptsToPass)));
        tables.add(new JobReport.Table("Rejected", List.of("reason", "questions"), JobReport.rows(rejected)));
        JobReport.write(out, "codellm self-instruct: " + teacher.model() + (solver == teacher ? "" : " / " + solver.model()), report, funnel, tables);
        return report;
    }

    /**
     * One stage: the ids not yet in {@code file} are asked (one job each, lines appended as they
     * finish); returns every id's line. When the stage asked something and has no line at all,
     * the model answered nothing: the job stops with its error (report.json written first).
     */
    private Map<String, JsonNode> stage(String file, List<String> ids, String label, TeacherClient client, Map<String, Map<String, Integer>> errors,
                                        Map<String, Object> report, Path out, Function<String, Callable<ObjectNode>> job) {
        Path f = out.resolve(file);
        Map<String, JsonNode> lines = new LinkedHashMap<>();
        for (Jsonl.Line l : Jsonl.readTolerant(f).lines()) lines.putIfAbsent(l.json().path("id").asText(), l.json());
        List<String> todo = ids.stream().filter(id -> !lines.containsKey(id)).toList();
        List<Callable<ObjectNode>> jobs = new ArrayList<>();
        try (Jsonl.Appender appender = new Jsonl.Appender(f)) {
            for (String id : todo) {
                Callable<ObjectNode> j = job.apply(id);
                jobs.add(() -> {
                    ObjectNode line = j.call();
                    appender.append(line);
                    return line;
                });
            }
            List<WorkPool.Outcome<ObjectNode>> outcomes = client.runEach(label, jobs, log);
            for (WorkPool.Outcome<ObjectNode> o : outcomes) if (o.ok()) lines.put(o.value().path("id").asText(), o.value());
            Map<String, Integer> e = TeacherClient.failures(outcomes);
            if (!e.isEmpty()) errors.put(file, e);
            if (log != null) log.println(label + ": " + (todo.size() - e.values().stream().mapToInt(Integer::intValue).sum()) + " of "
                    + todo.size() + " asked now answered; " + lines.size() + " of " + ids.size() + " done" + (e.isEmpty() ? "" : "; errors " + e));
            if (!todo.isEmpty() && lines.isEmpty()) {
                report.put("errors", errors);
                Json.write(out.resolve("report.json"), report);
                throw TeacherClient.nothingAnswered(todo.size(), label.replace("self-instruct ", "") + " requests", e, out.resolve("report.json"));
            }
        }
        return lines;
    }
}
