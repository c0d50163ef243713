package dev.codellm.eval.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Generator;
import dev.codellm.core.Progress;
import dev.codellm.eval.Json;
import dev.codellm.eval.data.Dataset;
import dev.codellm.eval.data.DatasetFiles;
import dev.codellm.eval.data.Task;
import dev.codellm.eval.exec.PythonEvaluator;
import dev.codellm.eval.exec.SampleResult;
import dev.codellm.eval.report.HtmlReport;
import dev.codellm.eval.report.Results;
import dev.codellm.eval.sandbox.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One evaluation run: samples (generated, or read from a file) → sandboxed tests → scores and
 * reports, all in {@code outDir}. Every finished sample and every finished test result is
 * appended to a jsonl file at once, so a killed run rerun with {@code --resume} redoes nothing
 * that was finished.
 */
public final class Evaluation {
    public static final String SAMPLES = "samples.jsonl";
    public static final String RESULTS = "samples_results.jsonl";
    public static final String RUN = "run.json";
    private static final ObjectMapper JSON = Json.MAPPER;

    private final EvalOptions opts;
    private final Sandbox sandbox;
    private final Dataset dataset;
    private final Map<String, Task> tasks;

    public Evaluation(EvalOptions opts, Sandbox sandbox) {
        this.opts = opts;
        this.sandbox = sandbox;
        DatasetFiles files = new DatasetFiles(opts.dataDir(), opts.cacheDir(), dev.codellm.eval.data.DatasetId::url);
        this.dataset = Dataset.load(opts.dataset(), files).limit(opts.limit());
        this.tasks = dataset.byId();
    }

    public Dataset dataset() { return dataset; }

    /** Generates n samples per task with the generator, then tests them. */
    public Results runWithGenerator(Generator generator, String modelName) {
        opts.style().checkFits(opts.dataset());
        prepareOutDir(modelName, "generator");
        Path samplesPath = opts.outDir().resolve(SAMPLES);
        List<SampleRecord> have = SamplesFile.readRunSamples(samplesPath);
        Map<String, boolean[]> done = new LinkedHashMap<>();
        for (SampleRecord s : have) {
            boolean[] d = done.computeIfAbsent(s.taskId(), k -> new boolean[opts.n()]);
            if (s.completionId() < opts.n()) d[s.completionId()] = true;
        }
        List<Runnable> work = new ArrayList<>();
        SampleGenerator gen = new SampleGenerator(generator, opts);
        List<SampleRecord> fresh = java.util.Collections.synchronizedList(new ArrayList<>());
        int todo = 0;
        try (SamplesFile.Appender out = new SamplesFile.Appender(samplesPath)) {
            for (Task t : dataset.tasks()) {
                boolean[] d = done.getOrDefault(t.taskId(), new boolean[opts.n()]);
                for (int i = 0; i < opts.n(); i++) {
                    if (d[i]) continue;
                    int cid = i;
                    todo++;
                    work.add(() -> {
                        SampleRecord s = gen.generate(t, cid);
                        out.append(SamplesFile.toJson(s));
                        fresh.add(s);
                    });
                }
            }
            if (todo > 0) {
                Progress p = new Progress("generate " + dataset.id(), todo);
                runAll(work, opts.genJobs(), p);
            }
        }
        List<SampleRecord> all = new ArrayList<>(have);
        all.addAll(fresh);
        all.removeIf(s -> !tasks.containsKey(s.taskId()) || s.completionId() >= opts.n());
        return test(all, modelName);
    }

    /** Tests the samples of a human-eval / EvalPlus samples file. */
    public Results runWithSamplesFile(Path samplesFile, String modelName) {
        List<SampleRecord> samples = SamplesFile.readUserSamples(samplesFile, opts.dataset(), tasks, opts.sanitize());
        Map<String, Integer> perTask = new LinkedHashMap<>();
        for (SampleRecord s : samples) perTask.merge(s.taskId(), 1, Integer::sum);
        List<String> missing = tasks.keySet().stream().filter(k -> !perTask.containsKey(k)).toList();
        if (!missing.isEmpty()) {
            throw new CodellmException("samples file " + samplesFile + " has no sample for " + missing.size() + " task(s) of "
                    + dataset.id() + ", e.g. " + String.join(", ", missing.subList(0, Math.min(5, missing.size())))
                    + (opts.limit() > 0 ? "" : " (use --limit K to evaluate only the first K tasks)"));
        }
        prepareOutDir(modelName, samplesFile.toString());
        Path copy = opts.outDir().resolve(SAMPLES);
        if (!Files.exists(copy)) {
            try (SamplesFile.Appender out = new SamplesFile.Appender(copy)) {
                samples.forEach(s -> out.append(SamplesFile.toJson(s)));
            }
        }
        return test(samples, modelName);
    }

    /**
     * Tests the datasets' own canonical solutions (n copies each): the harness self-check, which
     * must score 100 % (see docs/eval.md for the known exceptions), and the speed benchmark.
     */
    public Results runCanonical() {
        List<SampleRecord> samples = new ArrayList<>();
        for (Task t : dataset.tasks()) {
            String program = opts.dataset() == dev.codellm.eval.data.DatasetId.MBPP ? t.canonicalSolution() : t.prompt() + t.canonicalSolution();
            for (int i = 0; i < opts.n(); i++) samples.add(new SampleRecord(t.taskId(), i, t.canonicalSolution(), program));
        }
        prepareOutDir("canonical", "canonical solutions");
        Path copy = opts.outDir().resolve(SAMPLES);
        if (!Files.exists(copy)) {
            try (SamplesFile.Appender out = new SamplesFile.Appender(copy)) {
                samples.forEach(s -> out.append(SamplesFile.toJson(s)));
            }
        }
        return test(samples, "canonical");
    }

    private void prepareOutDir(String modelName, String source) {
        Path dir = opts.outDir();
        Path run = dir.resolve(RUN);
        try {
            Files.createDirectories(dir);
            if (Files.exists(run)) {
                JsonNode prev = JSON.readTree(run.toFile());
                if (!opts.resume()) {
                    throw new CodellmException("--out " + dir + " already holds a run; add --resume to continue it or choose another directory");
                }
                if (!prev.path("dataset").asText().equals(opts.dataset().cliName()) || prev.path("n").asInt() != opts.n()) {
                    throw new CodellmException("cannot resume: " + dir + " holds a run of " + prev.path("dataset").asText()
                            + " with n=" + prev.path("n").asInt() + ", not " + opts.dataset() + " with n=" + opts.n());
                }
                return;
            }
            ObjectNode o = JSON.createObjectNode();
            o.put("dataset", opts.dataset().cliName());
            o.put("dataset_sha256", dataset.sha256());
            o.put("model", modelName);
            o.put("source", source);
            o.put("n", opts.n());
            o.put("temperature", opts.temperature());
            o.put("max_tokens", opts.maxTokens());
            o.put("prompt_style", opts.style().cliName());
            o.put("sanitize", opts.sanitize());
            o.put("limit", opts.limit());
            o.put("sandbox", sandbox.describe());
            JSON.writerWithDefaultPrettyPrinter().writeValue(run.toFile(), o);
        } catch (IOException e) {
            throw new CodellmException("cannot prepare output directory " + dir + ": " + e.getMessage());
        }
    }

    private Results test(List<SampleRecord> samples, String modelName) {
        Path resultsPath = opts.outDir().resolve(RESULTS);
        Map<String, SampleResult> results = new LinkedHashMap<>();
        if (Files.exists(resultsPath)) {
            for (JsonNode n : SamplesFile.readJsonlTolerant(resultsPath)) {
                results.put(key(n.path("task_id").asText(), n.path("completion_id").asInt()), Results.fromJson(n));
            }
        }
        PythonEvaluator ev = new PythonEvaluator(sandbox, dataset, opts.cacheDir());
        List<SampleRecord> todo = samples.stream().filter(s -> !results.containsKey(key(s.taskId(), s.completionId()))).toList();
        if (!todo.isEmpty()) {
            List<Task> needed = todo.stream().map(s -> tasks.get(s.taskId())).distinct().toList();
            ev.prepareGroundTruth(needed, opts.jobs());
            Progress p = new Progress("test " + dataset.id(), todo.size());
            try (SamplesFile.Appender out = new SamplesFile.Appender(resultsPath)) {
                List<Runnable> work = new ArrayList<>();
                for (SampleRecord s : todo) {
                    work.add(() -> {
                        SampleResult r = ev.evaluate(tasks.get(s.taskId()), s.solution());
                        out.append(Results.toJson(s, r, dataset.id().isPlus()));
                        synchronized (results) {
                            results.put(key(s.taskId(), s.completionId()), r);
                        }
                    });
                }
                runAll(work, opts.jobs(), p);
            }
        }
        Results res = new Results(dataset, modelName, samples, results, sandbox.describe());
        res.write(opts.outDir());
        HtmlReport.write(res, opts.outDir().resolve("report.html"));
        return res;
    }

    static String key(String taskId, int completionId) {
        return taskId + "\u0000" + completionId;
    }

    private static void runAll(List<Runnable> work, int jobs, Progress progress) {
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, jobs))) {
            List<Future<?>> fs = new ArrayList<>();
            for (Runnable r : work) {
                fs.add(pool.submit(() -> {
                    r.run();
                    progress.step(1);
                }));
            }
            for (Future<?> f : fs) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    fs.forEach(x -> x.cancel(true));
                    if (e.getCause() instanceof RuntimeException re) throw re;
                    throw new CodellmException(String.valueOf(e.getCause()));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CodellmException("interrupted");
        }
    }
}
