package dev.codellm.eval.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Generator;
import dev.codellm.eval.data.Dataset;
import dev.codellm.eval.data.DatasetId;
import dev.codellm.eval.data.Task;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A user's task file as the driver runs it. HumanEval-format tasks are completed as they are
 * (base style, HumanEval's stop sequences) unless {@code --prompt-style instruct}; instruction
 * tasks are always asked as a chat (EvalPlus's instruct prompt) and their answers sanitized.
 * Programs are judged like HumanEval's and MBPP's (the Python harness, the test chunks after the
 * program, human-eval's 3 s), and results are written in the HumanEval/MBPP shape
 * ({@code eval_results.json}, {@code pass_at_k.json}, {@code report.html}), so
 * {@code eval compare} puts two runs side by side task by task.
 */
public final class UserTasksBenchmark implements Benchmark<SampleResult, Results> {
    private final UserTaskFile.Loaded file;
    private final Map<String, UserTaskFile.UserTask> tasks = new LinkedHashMap<>();
    private final Dataset dataset;
    private final EvalOptions opts;
    private final Supplier<? extends SampleExecutor<Task, SampleResult>> executor;

    /** @param executor judges programs with HumanEval-style assert tests (the harness's {@code check} mode) */
    public UserTasksBenchmark(UserTaskFile.Loaded file, EvalOptions opts, Supplier<? extends SampleExecutor<Task, SampleResult>> executor) {
        this.file = file;
        List<UserTaskFile.UserTask> selected = opts.limit() > 0 && opts.limit() < file.tasks().size() ? file.tasks().subList(0, opts.limit()) : file.tasks();
        selected.forEach(t -> tasks.put(t.task().taskId(), t));
        // Assert tests exactly like HumanEval's: the dataset id only picks that kind of harness run (no plus inputs).
        this.dataset = new Dataset(DatasetId.HUMANEVAL, selected.stream().map(UserTaskFile.UserTask::task).toList(), file.sha256());
        this.opts = opts;
        this.executor = executor;
    }

    /** The tests-only view of the tasks that the Python harness judges. */
    public Dataset dataset() { return dataset; }

    @Override
    public String name() { return file.file().getFileName().toString(); }

    @Override
    public String sha256() { return file.sha256(); }

    @Override
    public List<String> taskIds() { return List.copyOf(tasks.keySet()); }

    @Override
    public Path dir(Path out) { return out; }

    @Override
    public String describeJudge() { return executor.get().describe(); }

    @Override
    public String promptStyle() {
        return opts.style() == null ? "base for HumanEval-format tasks, instruct for instruction tasks" : opts.style().cliName();
    }

    @Override
    public void checkGeneration() {
        if (opts.style() == PromptStyle.MBPP_3SHOT) throw new CodellmException("--prompt-style mbpp-3shot applies only to --dataset mbpp");
        if (opts.style() == PromptStyle.BASE) {
            tasks.values().stream().filter(t -> !t.completion()).findFirst().ifPresent(t -> {
                throw new CodellmException("task " + t.task().taskId() + " of " + name() + " is an instruction with no code prompt: "
                        + "it can only be asked with --prompt-style instruct (the default for such tasks)");
            });
        }
    }

    private PromptStyle style(UserTaskFile.UserTask t) {
        return t.completion() && opts.style() != PromptStyle.INSTRUCT ? PromptStyle.BASE : PromptStyle.INSTRUCT;
    }

    @Override
    public void checkFits(Generator generator) {
        generator.checkFits(taskIds().stream().map(id -> {
            UserTaskFile.UserTask t = tasks.get(id);
            return new SampleGenerator(generator, DatasetId.HUMANEVAL, style(t), opts).request(t.task(), 0);
        }).toList(), name() + " prompts");
    }

    @Override
    public SampleRecord generate(Generator generator, String taskId, int completionId) {
        UserTaskFile.UserTask t = tasks.get(taskId);
        return new SampleGenerator(generator, DatasetId.HUMANEVAL, style(t), opts).generate(t.task(), completionId);
    }

    /** human-eval / EvalPlus samples: a {@code completion} is appended to the prompt (instruction tasks have none), a {@code solution} is the program. */
    @Override
    public List<SampleRecord> samplesFromFile(Path samples) {
        return SamplesFile.readUserSamples(samples, DatasetId.HUMANEVAL, dataset.byId(), opts.sanitize());
    }

    @Override
    public List<SampleRecord> canonical(int n) {
        List<SampleRecord> out = new ArrayList<>();
        for (UserTaskFile.UserTask t : tasks.values()) {
            String ref = t.task().canonicalSolution();
            if (ref == null) throw new CodellmException("task " + t.task().taskId() + " of " + name() + " has no reference solution ("
                    + (t.completion() ? "canonical_solution" : "solution") + ") for --canonical");
            String program = t.completion() ? t.task().prompt() + ref : ref;
            for (int i = 0; i < n; i++) out.add(new SampleRecord(t.task().taskId(), i, ref, program));
        }
        return out;
    }

    @Override
    public SampleResult judge(SampleRecord sample) {
        UserTaskFile.UserTask t = tasks.get(sample.taskId());
        if (t == null) throw new CodellmException("no task " + sample.taskId() + " in " + name());
        return executor.get().judge(t.task(), sample.solution());
    }

    @Override
    public ObjectNode resultRow(SampleRecord sample, SampleResult verdict) {
        return Results.toJson(sample, verdict, false);
    }

    @Override
    public SampleResult verdict(JsonNode row) {
        return Results.fromJson(row);
    }

    @Override
    public Results score(List<SampleRecord> samples, Map<SampleKey, SampleResult> verdicts, String model, Path dir) {
        Results res = new Results(dataset, name(), model, samples, verdicts, describeJudge());
        res.write(dir);
        HtmlReport.write(res, dir.resolve("report.html"));
        return res;
    }
}
