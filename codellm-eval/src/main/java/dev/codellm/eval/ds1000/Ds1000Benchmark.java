package dev.codellm.eval.ds1000;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.Generator;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.TokenSink;
import dev.codellm.core.io.Json;
import dev.codellm.core.io.Jsonl;
import dev.codellm.eval.run.Benchmark;
import dev.codellm.eval.run.SampleKey;
import dev.codellm.eval.run.SampleRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * DS-1000 (or some of its libraries) as the driver runs it: the completion-format prompt
 * completed with the official stop sequences, the answer post-processed as upstream does, each
 * program (code_context + answer) judged by {@link Ds1000Executor} in batches, scored per library
 * in the Magicoder paper's layout. Files go directly into {@code --out}: the driver's
 * {@code samples.jsonl} and {@code samples_results.jsonl}, plus {@code reference_checks.jsonl},
 * {@code ds1000_results.json}, {@code pass_at_k.json} and {@code report.html}.
 *
 * <p><b>Not scoreable here.</b> A problem is left out of the score when its reference solution
 * fails for an environmental reason (a missing module, a network call). That is detected, not
 * listed: an environmental failure happens in the test code before the answer runs, so every
 * sample of such a problem fails that way; for each problem where one did, the reference solution
 * is run once (or its verdict taken from the run, for {@code --canonical}) and kept in
 * {@code reference_checks.jsonl}. A problem whose reference passes stays scoreable, so an answer
 * that imports something missing simply fails.
 */
public final class Ds1000Benchmark implements Benchmark<Ds1000Verdict, Ds1000Score> {
    static final String REFERENCE_CHECKS = "reference_checks.jsonl";
    static final String RESULTS = "ds1000_results.json";
    /** Programs per sandbox run: one import of the libraries per batch; a kill loses at most this many verdicts per job. */
    static final int BATCH = Integer.getInteger("codellm.ds1000.batch", 20);

    private final String name;
    private final String sha256;
    private final Map<String, Ds1000Problem> problems = new LinkedHashMap<>();
    private final SamplingParams sampling;
    private final Supplier<Ds1000Executor> executor;

    /**
     * @param name     the dataset as run files record it ({@code ds1000}, {@code ds1000/pandas,numpy})
     * @param problems the selected problems, already cut to {@code --limit}
     * @param sampling temperature, max tokens and seed (sample i uses seed + i); the stops are added here
     */
    public Ds1000Benchmark(String name, List<Ds1000Problem> problems, String sha256, SamplingParams sampling, Supplier<Ds1000Executor> executor) {
        this.name = name;
        this.sha256 = sha256;
        problems.forEach(p -> this.problems.put(p.taskId(), p));
        this.sampling = sampling.withStop(Ds1000Prompt.STOPS);
        this.executor = executor;
    }

    @Override
    public String name() { return name; }

    @Override
    public String sha256() { return sha256; }

    @Override
    public List<String> taskIds() { return List.copyOf(problems.keySet()); }

    @Override
    public Path dir(Path out) { return out; }

    @Override
    public String describeJudge() { return executor.get().describe(); }

    @Override
    public String promptStyle() { return "completion"; }

    @Override
    public SampleRecord generate(Generator generator, String taskId, int completionId) {
        Ds1000Problem p = problems.get(taskId);
        SamplingParams s = sampling.seed() == null ? sampling : sampling.withSeed(sampling.seed() + completionId);
        String completion = generator.complete(CompletionRequest.of(p.prompt(), s), TokenSink.NONE).text();
        return new SampleRecord(taskId, completionId, completion, Ds1000Prompt.postprocess(completion));
    }

    /**
     * Lines with the problem ({@code task_id}, {@code problem_id} or {@code id}: its number) and the
     * answer ({@code completion}, {@code code} or {@code solution}), post-processed like a model's.
     */
    @Override
    public List<SampleRecord> samplesFromFile(Path file) {
        List<SampleRecord> out = new ArrayList<>();
        Map<String, Integer> counts = new HashMap<>();
        for (Jsonl.Line line : Jsonl.read(file, "samples file")) {
            JsonNode n = line.json();
            JsonNode id = firstOf(n, "task_id", "problem_id", "id");
            JsonNode code = firstOf(n, "completion", "code", "solution");
            if (id == null || code == null || !code.isTextual()) {
                throw new CodellmException(line.where() + ": needs the problem (\"task_id\", \"problem_id\" or \"id\") and the answer (\"completion\", \"code\" or \"solution\")");
            }
            String task = id.asText().replaceFirst("(?i)^ds-?1000/", "");
            if (!problems.containsKey(task)) continue;
            out.add(new SampleRecord(task, counts.merge(task, 1, Integer::sum) - 1, code.asText(), Ds1000Prompt.postprocess(code.asText())));
        }
        return out;
    }

    private static JsonNode firstOf(JsonNode n, String... fields) {
        for (String f : fields) if (n.hasNonNull(f)) return n.get(f);
        return null;
    }

    @Override
    public List<SampleRecord> canonical(int n) {
        List<SampleRecord> out = new ArrayList<>();
        for (Ds1000Problem p : problems.values()) {
            for (int i = 0; i < n; i++) out.add(new SampleRecord(p.taskId(), i, p.referenceCode(), p.referenceCode()));
        }
        return out;
    }

    @Override
    public int judgeBatch() { return Math.max(1, BATCH); }

    @Override
    public Ds1000Verdict judge(SampleRecord sample) {
        return judge(List.of(sample)).get(0);
    }

    @Override
    public List<Ds1000Verdict> judge(List<SampleRecord> samples) {
        List<Ds1000Problem> ps = new ArrayList<>();
        for (SampleRecord s : samples) {
            Ds1000Problem p = problems.get(s.taskId());
            if (p == null) throw new CodellmException("no problem " + s.taskId() + " in " + name);
            ps.add(p);
        }
        return executor.get().judgeAll(ps, samples.stream().map(SampleRecord::solution).toList());
    }

    @Override
    public ObjectNode resultRow(SampleRecord sample, Ds1000Verdict verdict) {
        ObjectNode o = Json.MAPPER.createObjectNode().put("task_id", sample.taskId()).put("completion_id", sample.completionId())
                .put("library", problems.get(sample.taskId()).library().dataName());
        return verdict.into(o);
    }

    @Override
    public Ds1000Verdict verdict(JsonNode row) {
        return Ds1000Verdict.fromJson(row);
    }

    @Override
    public Ds1000Score score(List<SampleRecord> samples, Map<SampleKey, Ds1000Verdict> verdicts, String model, Path dir) {
        Map<String, String> notScoreable = notScoreable(samples, verdicts, dir);
        Map<String, int[]> nc = new LinkedHashMap<>();
        problems.keySet().forEach(t -> nc.put(t, new int[2]));
        for (SampleRecord s : samples) {
            int[] x = nc.get(s.taskId());
            x[0]++;
            if (verdicts.get(SampleKey.of(s)).passed()) x[1]++;
        }
        Map<String, Ds1000Score.ProblemTally> tallies = new LinkedHashMap<>();
        nc.forEach((t, x) -> tallies.put(t, new Ds1000Score.ProblemTally(problems.get(t).library(), x[0], x[1], notScoreable.get(t))));
        Ds1000Score score = Ds1000Score.of(name, model, tallies);
        score.write(dir);
        writeResults(samples, verdicts, model, notScoreable, dir);
        Ds1000Report.write(score, problems, samples, verdicts, describeJudge(), dir.resolve("report.html"));
        return score;
    }

    /**
     * Problem id → why it is not scoreable here, for the problems whose samples failed for an
     * environmental reason and whose reference solution fails the same way (see the class comment).
     */
    private Map<String, String> notScoreable(List<SampleRecord> samples, Map<SampleKey, Ds1000Verdict> verdicts, Path dir) {
        Set<String> suspect = new LinkedHashSet<>();
        Map<String, Ds1000Verdict> reference = new HashMap<>();
        for (SampleRecord s : samples) {
            Ds1000Verdict v = verdicts.get(SampleKey.of(s));
            if (v.environmental()) suspect.add(s.taskId());
            // --canonical (or a file of references): the sample's verdict is the reference's.
            if (s.solution().equals(problems.get(s.taskId()).referenceCode())) reference.putIfAbsent(s.taskId(), v);
        }
        Path file = dir.resolve(REFERENCE_CHECKS);
        for (Jsonl.Line l : Jsonl.readTolerant(file).lines()) reference.putIfAbsent(l.json().path("task_id").asText(), Ds1000Verdict.fromJson(l.json()));
        List<String> todo = suspect.stream().filter(t -> !reference.containsKey(t)).toList();
        if (!todo.isEmpty()) {
            System.err.println("ds1000: running the reference solutions of " + todo.size()
                    + " problem(s) whose samples failed for want of a module or the network");
            try (Jsonl.Appender out = new Jsonl.Appender(file)) {
                for (int from = 0; from < todo.size(); from += judgeBatch()) {
                    List<String> part = todo.subList(from, Math.min(todo.size(), from + judgeBatch()));
                    List<Ds1000Problem> ps = part.stream().map(problems::get).toList();
                    List<Ds1000Verdict> vs = executor.get().judgeAll(ps, ps.stream().map(Ds1000Problem::referenceCode).toList());
                    for (int i = 0; i < part.size(); i++) {
                        reference.put(part.get(i), vs.get(i));
                        out.append(vs.get(i).into(Json.MAPPER.createObjectNode().put("task_id", part.get(i))));
                    }
                }
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String t : problems.keySet()) {
            Ds1000Verdict ref = reference.get(t);
            if (suspect.contains(t) && ref != null && ref.notScoreableReason() != null) out.put(t, ref.notScoreableReason());
        }
        return out;
    }

    /** ds1000_results.json: per problem its library, whether it is scoreable, and every sample's answer and verdict. */
    private void writeResults(List<SampleRecord> samples, Map<SampleKey, Ds1000Verdict> verdicts, String model,
                              Map<String, String> notScoreable, Path dir) {
        ObjectNode root = Json.MAPPER.createObjectNode().put("dataset", name).put("hash", sha256).put("model", model);
        ObjectNode eval = root.putObject("eval");
        for (SampleRecord s : samples) {
            Ds1000Problem p = problems.get(s.taskId());
            ObjectNode task = eval.has(s.taskId()) ? (ObjectNode) eval.get(s.taskId()) : eval.putObject(s.taskId());
            if (!task.has("library")) {
                task.put("library", p.library().dataName()).put("perturbation", p.perturbation());
                if (notScoreable.containsKey(s.taskId())) task.put("not_scoreable", notScoreable.get(s.taskId()));
            }
            ArrayNode arr = task.has("samples") ? (ArrayNode) task.get("samples") : task.putArray("samples");
            arr.add(verdicts.get(SampleKey.of(s)).into(Json.MAPPER.createObjectNode().put("completion_id", s.completionId())
                    .put("solution", s.solution())));
        }
        Json.write(dir.resolve(RESULTS), root);
    }
}
