package dev.codellm.eval.evalplus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Generator;
import dev.codellm.eval.data.Dataset;
import dev.codellm.eval.data.DatasetId;
import dev.codellm.eval.data.Task;
import dev.codellm.eval.exec.PythonEvaluator;
import dev.codellm.eval.exec.SampleResult;
import dev.codellm.eval.report.HtmlReport;
import dev.codellm.eval.report.Results;
import dev.codellm.eval.run.Benchmark;
import dev.codellm.eval.run.EvalOptions;
import dev.codellm.eval.run.PromptStyle;
import dev.codellm.eval.run.SampleExecutor;
import dev.codellm.eval.run.SampleGenerator;
import dev.codellm.eval.run.SampleKey;
import dev.codellm.eval.run.SampleRecord;
import dev.codellm.eval.run.SamplesFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * HumanEval, HumanEval+, MBPP or MBPP+ as the driver runs it: prompts in the chosen
 * {@link PromptStyle}, programs judged by the Python harness ({@link PythonEvaluator}) in the
 * sandbox, and EvalPlus-shaped results ({@code eval_results.json}, {@code pass_at_k.json},
 * {@code report.html}) written directly into {@code --out}.
 */
public final class EvalPlusBenchmark implements Benchmark<SampleResult, Results> {
    private final Dataset dataset;
    private final Map<String, Task> tasks;
    private final EvalOptions opts;
    private final PromptStyle style;
    private final Supplier<? extends SampleExecutor<Task, SampleResult>> executor;
    private SampleExecutor<Task, SampleResult> made;

    /**
     * @param dataset  the loaded dataset, already cut to {@code --limit}
     * @param executor makes the executor when the first sample is judged (the sandbox is then needed)
     */
    public EvalPlusBenchmark(Dataset dataset, EvalOptions opts, Supplier<? extends SampleExecutor<Task, SampleResult>> executor) {
        this.dataset = dataset;
        this.tasks = dataset.byId();
        this.opts = opts;
        this.style = opts.style() == null ? PromptStyle.defaultFor(dataset.id()) : opts.style();
        this.executor = executor;
    }

    public Dataset dataset() { return dataset; }

    private synchronized SampleExecutor<Task, SampleResult> executor() {
        if (made == null) made = executor.get();
        return made;
    }

    @Override
    public String name() { return dataset.id().cliName(); }

    @Override
    public String sha256() { return dataset.sha256(); }

    @Override
    public List<String> taskIds() { return List.copyOf(tasks.keySet()); }

    @Override
    public Path dir(Path out) { return out; }

    @Override
    public String describeJudge() { return executor().describe(); }

    @Override
    public String promptStyle() { return style.cliName(); }

    @Override
    public void checkGeneration() {
        style.checkFits(dataset.id());
    }

    @Override
    public void checkFits(Generator generator) {
        new SampleGenerator(generator, dataset.id(), style, opts).checkFits(taskIds().stream().map(tasks::get).toList(), name());
    }

    @Override
    public SampleRecord generate(Generator generator, String taskId, int completionId) {
        return new SampleGenerator(generator, dataset.id(), style, opts).generate(tasks.get(taskId), completionId);
    }

    @Override
    public List<SampleRecord> samplesFromFile(Path file) {
        return SamplesFile.readUserSamples(file, dataset.id(), tasks, opts.sanitize());
    }

    @Override
    public List<SampleRecord> canonical(int n) {
        List<SampleRecord> samples = new ArrayList<>();
        for (Task t : dataset.tasks()) {
            String program = dataset.id() == DatasetId.MBPP ? t.canonicalSolution() : t.prompt() + t.canonicalSolution();
            for (int i = 0; i < n; i++) samples.add(new SampleRecord(t.taskId(), i, t.canonicalSolution(), program));
        }
        return samples;
    }

    @Override
    public void prepare(Collection<String> taskIds, int jobs) {
        executor().prepare(taskIds.stream().map(tasks::get).toList(), jobs);
    }

    @Override
    public SampleResult judge(SampleRecord sample) {
        Task t = tasks.get(sample.taskId());
        if (t == null) throw new CodellmException("no task " + sample.taskId() + " in " + name());
        return executor().judge(t, sample.solution());
    }

    @Override
    public ObjectNode resultRow(SampleRecord sample, SampleResult verdict) {
        return Results.toJson(sample, verdict, dataset.id().isPlus());
    }

    @Override
    public SampleResult verdict(JsonNode row) {
        return Results.fromJson(row);
    }

    @Override
    public Results score(List<SampleRecord> samples, Map<SampleKey, SampleResult> verdicts, String model, Path dir) {
        Results res = new Results(dataset, model, samples, verdicts, describeJudge());
        res.write(dir);
        HtmlReport.write(res, dir.resolve("report.html"));
        return res;
    }
}
