package dev.codellm.eval.multipl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.Generator;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.TokenSink;
import dev.codellm.core.io.Json;
import dev.codellm.core.io.Jsonl;
import dev.codellm.eval.run.Benchmark;
import dev.codellm.eval.run.SampleExecutor;
import dev.codellm.eval.run.SampleKey;
import dev.codellm.eval.run.SampleRecord;
import dev.codellm.eval.run.SampleRows;
import dev.codellm.eval.score.PassAtK;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One MultiPL-E language as the driver runs it: base-model completions of the raw prompts cut at
 * the language's stop tokens (as MultiPL-E generates), each program (prompt + completion +
 * tests) compiled and run in the sandbox by {@link MultiplExecutor}, scored with MultiPL-E's
 * statuses. Files go to {@code --out/multipl-e/<lang>/}; {@code pass_at_k.json} holds the score.
 * A language whose toolchain is missing is reported as such, not scored as 0.
 */
public final class MultiplBenchmark implements Benchmark<Execution, LanguageScore> {
    private static final int STDERR_KEPT = 2000;

    private final MultiplLanguage lang;
    private final String sha256;
    private final Map<String, MultiplProblem> problems = new LinkedHashMap<>();
    private final SamplingParams sampling;
    private final Supplier<? extends SampleExecutor<MultiplProblem, Execution>> executor;

    /**
     * @param problems the language's problems, already cut to {@code --limit}
     * @param sampling temperature, max tokens, seed (sample i uses seed + i)
     */
    public MultiplBenchmark(MultiplLanguage lang, List<MultiplProblem> problems, String sha256, SamplingParams sampling,
                            Supplier<? extends SampleExecutor<MultiplProblem, Execution>> executor) {
        this.lang = lang;
        this.sha256 = sha256;
        problems.forEach(p -> this.problems.put(p.name(), p));
        this.sampling = sampling;
        this.executor = executor;
    }

    public MultiplLanguage language() { return lang; }

    @Override
    public String name() { return MultiplFamily.PREFIX + "/" + lang.code(); }

    @Override
    public String sha256() { return sha256; }

    @Override
    public List<String> taskIds() { return List.copyOf(problems.keySet()); }

    @Override
    public Path dir(Path out) { return out.resolve(MultiplFamily.PREFIX).resolve(lang.code()); }

    @Override
    public String describeJudge() { return executor.get().describe(); }

    @Override
    public String promptStyle() { return "base"; }

    @Override
    public Optional<LanguageScore> unscorable(int samplesPerTask) {
        List<String> missing = lang.missingPackages();
        return missing.isEmpty() ? Optional.empty() : Optional.of(LanguageScore.toolchainMissing(lang, missing, problems.size(), samplesPerTask));
    }

    /** The problem's prompt completed, with its language's stop tokens added to {@code sampling}'s. */
    @Override
    public SampleRecord generate(Generator generator, String taskId, int completionId) {
        MultiplProblem p = problems.get(taskId);
        List<String> stops = new ArrayList<>(sampling.stop());
        stops.addAll(p.stopTokens());
        SamplingParams s = sampling.withStop(stops);
        if (sampling.seed() != null) s = s.withSeed(sampling.seed() + completionId);
        String completion = generator.complete(CompletionRequest.of(p.prompt(), s), TokenSink.NONE).text();
        return sample(p, completionId, completion);
    }

    /** solution = what is compiled before the tests: the prompt and the completion as MultiPL-E cuts it. */
    private static SampleRecord sample(MultiplProblem p, int completionId, String completion) {
        return new SampleRecord(p.name(), completionId, completion, p.prompt() + p.truncate(completion));
    }

    /**
     * {@code {"task_id": "HumanEval_53_add", "language": "cpp", "completion": "..."}} lines
     * (MultiPL-E problem names as task ids; {@code solution} is read as the completion too;
     * {@code language} may be omitted when the file holds one language); also MultiPL-E's own
     * completion files and bigcode's generations.json ({@link SampleRows}).
     */
    @Override
    public List<SampleRecord> samplesFromFile(Path file) {
        List<SampleRecord> out = new ArrayList<>();
        Map<String, Integer> counts = new HashMap<>();
        for (Jsonl.Line line : SampleRows.read(file, List.copyOf(problems.keySet()))) {
            JsonNode n = line.json();
            JsonNode code = n.hasNonNull("completion") ? n.get("completion") : n.get("solution");
            if (!n.hasNonNull("task_id") || code == null) throw new CodellmException(line.where() + ": needs \"task_id\" and \"completion\"");
            if (n.hasNonNull("language")) {
                MultiplLanguage l;
                try {
                    l = MultiplLanguage.fromCode(n.get("language").asText());
                } catch (IllegalArgumentException e) {
                    throw new CodellmException(line.where() + ": " + e.getMessage());
                }
                if (l != lang) continue;
            }
            MultiplProblem p = problems.get(n.get("task_id").asText());
            if (p == null) continue;
            String text = code.asText();
            // whole programs (bigcode's generations, a solution) start with the prompt: score what follows it
            if (text.startsWith(p.prompt())) text = text.substring(p.prompt().length());
            out.add(sample(p, counts.merge(p.name(), 1, Integer::sum) - 1, text));
        }
        return out;
    }

    @Override
    public List<SampleRecord> canonical(int n) {
        throw new CodellmException("MultiPL-E has no canonical solutions; give --model, --endpoint or --samples");
    }

    @Override
    public Execution judge(SampleRecord sample) {
        MultiplProblem p = problems.get(sample.taskId());
        return executor.get().judge(p, p.program(sample.completion()));
    }

    @Override
    public ObjectNode resultRow(SampleRecord s, Execution e) {
        return Json.MAPPER.createObjectNode().put("task_id", s.taskId()).put("completion_id", s.completionId())
                .put("status", e.status().name()).put("exit_code", e.exitCode()).put("wall_ms", e.wallMillis())
                .put("stderr", e.stderr().length() > STDERR_KEPT ? e.stderr().substring(0, STDERR_KEPT) : e.stderr());
    }

    @Override
    public Execution verdict(JsonNode row) {
        Status status;
        try {
            status = Status.valueOf(row.path("status").asText());
        } catch (IllegalArgumentException e) {
            throw new CodellmException("unknown MultiPL-E status '" + row.path("status").asText() + "' in a results line of " + name());
        }
        return new Execution(status, row.path("exit_code").asInt(), "", row.path("stderr").asText(""), row.path("wall_ms").asLong());
    }

    @Override
    public LanguageScore score(List<SampleRecord> samples, Map<SampleKey, Execution> verdicts, String model, Path dir) {
        Map<String, int[]> perTask = new LinkedHashMap<>();  // task → {n, correct}
        problems.keySet().forEach(t -> perTask.put(t, new int[2]));
        Map<Status, Integer> counts = new EnumMap<>(Status.class);
        for (SampleRecord s : samples) {
            Status st = verdicts.get(SampleKey.of(s)).status();
            counts.merge(st, 1, Integer::sum);
            int[] nc = perTask.get(s.taskId());
            nc[0]++;
            if (st == Status.OK) nc[1]++;
        }
        List<int[]> all = new ArrayList<>(), unflagged = new ArrayList<>();
        int flagged = 0, perTaskN = Integer.MAX_VALUE;
        for (Map.Entry<String, int[]> e : perTask.entrySet()) {
            all.add(e.getValue());
            perTaskN = Math.min(perTaskN, e.getValue()[0]);
            if (isUnpassable(lang, problems.get(e.getKey()))) flagged++;
            else unflagged.add(e.getValue());
        }
        Map<String, Double> passAtK = passAtK(all);
        LanguageScore score = new LanguageScore(lang, List.of(), problems.size(), perTask.isEmpty() ? 0 : perTaskN, passAtK, counts, flagged,
                flagged == 0 ? passAtK : passAtK(unflagged));
        Json.write(dir.resolve("pass_at_k.json"), score.toJson());
        return score;
    }

    private static Map<String, Double> passAtK(List<int[]> nc) {
        return PassAtK.mean(nc.stream().mapToInt(x -> x[0]).toArray(), nc.stream().mapToInt(x -> x[1]).toArray());
    }

    /**
     * MultiPL-E v2.x C# compares lists with {@code .Equals(}, which is reference equality for
     * {@code List<T>}: no completion can pass those tasks (see datasets/multipl-e/SOURCE.md).
     */
    static boolean isUnpassable(MultiplLanguage lang, MultiplProblem p) {
        return lang == MultiplLanguage.CS && p.tests().contains(".Equals((new List");
    }
}
