package dev.codellm.eval.multipl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Progress;
import dev.codellm.eval.run.SamplesFile;
import dev.codellm.eval.score.PassAtK;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A MultiPL-E evaluation of one language: generate (or read) n completions per problem, run
 * each program in the sandbox, score pass@k. Everything lands in {@code outDir/<lang>/}:
 * {@code samples.jsonl} and {@code results.jsonl} are appended as work finishes, so a killed run
 * resumes where it stopped; {@code pass_at_k.json} holds the scores.
 */
public final class MultiplRun {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int STDERR_KEPT = 2000;

    private final Path outDir;
    private final MultiplExecutor executor;
    private final int samplesPerTask;
    private final int jobs;
    private final int limit;

    /**
     * @param outDir         where the per-language folders go
     * @param samplesPerTask n completions per problem
     * @param jobs           programs compiled/run at once
     * @param limit          only the first {@code limit} problems (0: all)
     */
    public MultiplRun(Path outDir, MultiplExecutor executor, int samplesPerTask, int jobs, int limit) {
        if (samplesPerTask < 1 || jobs < 1) throw new IllegalArgumentException("need n >= 1 and jobs >= 1");
        this.outDir = outDir;
        this.executor = executor;
        this.samplesPerTask = samplesPerTask;
        this.jobs = jobs;
        this.limit = limit;
    }

    public LanguageScore run(MultiplLanguage lang, List<MultiplProblem> allProblems, CompletionSource source) {
        List<MultiplProblem> problems = limit > 0 && limit < allProblems.size() ? allProblems.subList(0, limit) : allProblems;
        List<String> missing = lang.missingPackages();
        if (!missing.isEmpty()) {
            return LanguageScore.toolchainMissing(lang, missing, problems.size(), samplesPerTask);
        }
        Path dir = outDir.resolve(lang.code());
        try {
            Files.createDirectories(dir);
            Map<String, String> samples = generate(lang, problems, source, dir.resolve("samples.jsonl"));
            Map<String, Status> results = execute(lang, problems, samples, dir.resolve("results.jsonl"));
            LanguageScore score = score(lang, problems, results);
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("pass_at_k.json").toFile(), score.toJson());
            return score;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String key(String task, int index) {
        return task + "#" + index;
    }

    /** Returns every (task, index) → completion, generating the ones samples.jsonl lacks. */
    private Map<String, String> generate(MultiplLanguage lang, List<MultiplProblem> problems, CompletionSource source,
                                         Path file) throws IOException {
        Map<String, String> done = new HashMap<>();
        for (JsonNode n : readJsonl(file)) done.put(key(n.get("task_id").asText(), n.get("completion_id").asInt()), n.get("completion").asText());
        Progress progress = new Progress("multipl-e/" + lang.code() + " generate", (long) problems.size() * samplesPerTask);
        progress.step(0);
        try (SamplesFile.Appender out = new SamplesFile.Appender(file)) {
            for (MultiplProblem p : problems) {
                for (int i = 0; i < samplesPerTask; i++) {
                    String k = key(p.name(), i);
                    if (!done.containsKey(k)) {
                        String completion = source.completion(p, i);
                        if (completion == null) throw new CodellmException("no completion " + i + " for " + p.name() + " (" + lang.code() + ") in the samples");
                        done.put(k, completion);
                        out.append(JSON.createObjectNode().put("task_id", p.name()).put("language", lang.code())
                                .put("completion_id", i).put("completion", completion));
                    }
                    progress.step(1);
                }
            }
        }
        return done;
    }

    /** Runs every program results.jsonl lacks, {@code jobs} at a time; returns all statuses. */
    private Map<String, Status> execute(MultiplLanguage lang, List<MultiplProblem> problems, Map<String, String> samples,
                                        Path file) throws IOException {
        Map<String, Status> done = new java.util.concurrent.ConcurrentHashMap<>(); // filled from the pool threads
        for (JsonNode n : readJsonl(file)) done.put(key(n.get("task_id").asText(), n.get("completion_id").asInt()), Status.valueOf(n.get("status").asText()));
        Progress progress = new Progress("multipl-e/" + lang.code() + " execute", (long) problems.size() * samplesPerTask);
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        try (SamplesFile.Appender out = new SamplesFile.Appender(file)) {
            List<Future<?>> futures = new ArrayList<>();
            for (MultiplProblem p : problems) {
                for (int i = 0; i < samplesPerTask; i++) {
                    String k = key(p.name(), i);
                    if (done.containsKey(k)) {
                        progress.step(1);
                        continue;
                    }
                    int index = i;
                    futures.add(pool.submit(() -> {
                        Execution e = executor.execute(lang, p.program(samples.get(k)));
                        ObjectNode row = JSON.createObjectNode().put("task_id", p.name()).put("completion_id", index)
                                .put("status", e.status().name()).put("exit_code", e.exitCode()).put("wall_ms", e.wallMillis())
                                .put("stderr", e.stderr().length() > STDERR_KEPT ? e.stderr().substring(0, STDERR_KEPT) : e.stderr());
                        done.put(k, e.status());
                        out.append(row);
                        progress.step(1);
                        return null;
                    }));
                }
            }
            for (Future<?> f : futures) f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) throw re;
            throw new CodellmException("MultiPL-E execution failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CodellmException("interrupted");
        } finally {
            pool.shutdownNow();
        }
        return done;
    }

    private LanguageScore score(MultiplLanguage lang, List<MultiplProblem> problems, Map<String, Status> results) {
        Map<Status, Integer> counts = new EnumMap<>(Status.class);
        int[] n = new int[problems.size()], c = new int[problems.size()];
        List<Integer> unflagged = new ArrayList<>();
        int flagged = 0;
        for (int t = 0; t < problems.size(); t++) {
            MultiplProblem p = problems.get(t);
            n[t] = samplesPerTask;
            for (int i = 0; i < samplesPerTask; i++) {
                Status s = results.get(key(p.name(), i));
                counts.merge(s, 1, Integer::sum);
                if (s == Status.OK) c[t]++;
            }
            if (isUnpassable(lang, p)) flagged++;
            else unflagged.add(t);
        }
        int[] nu = unflagged.stream().mapToInt(t -> n[t]).toArray(), cu = unflagged.stream().mapToInt(t -> c[t]).toArray();
        return new LanguageScore(lang, List.of(), problems.size(), samplesPerTask, PassAtK.mean(n, c), counts, flagged,
                flagged == 0 ? PassAtK.mean(n, c) : PassAtK.mean(nu, cu));
    }

    /**
     * MultiPL-E v2.x C# compares lists with {@code .Equals(}, which is reference equality for
     * {@code List<T>}: no completion can pass those tasks (see datasets/multipl-e/SOURCE.md).
     */
    static boolean isUnpassable(MultiplLanguage lang, MultiplProblem p) {
        return lang == MultiplLanguage.CS && p.tests().contains(".Equals((new List");
    }

    /** Rows of a jsonl file this run wrote (none yet: empty); a line torn by a kill is cut away. */
    private static List<JsonNode> readJsonl(Path file) {
        return Files.exists(file) ? SamplesFile.readJsonlTolerant(file) : List.of();
    }
}
