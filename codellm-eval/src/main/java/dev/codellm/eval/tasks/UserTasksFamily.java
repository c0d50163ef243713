package dev.codellm.eval.tasks;

import dev.codellm.eval.evalplus.EvalPlusFamily;
import dev.codellm.eval.exec.PythonEvaluator;
import dev.codellm.eval.report.Compare;
import dev.codellm.eval.report.Results;
import dev.codellm.eval.run.BenchmarkFamily;
import dev.codellm.eval.run.BenchmarkSuite;
import dev.codellm.eval.run.EvalOptions;
import dev.codellm.eval.run.EvalOutcome;
import dev.codellm.eval.run.RunComparison;
import dev.codellm.eval.sandbox.Sandbox;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@code --dataset my-tasks.jsonl}: a user's own problems ({@link UserTaskFile}). Runs write the
 * HumanEval/MBPP files, so {@code eval compare} of such runs is the HumanEval/MBPP comparison,
 * task by task with the answers side by side.
 */
public final class UserTasksFamily implements BenchmarkFamily {
    @Override
    public String name() { return "task file"; }

    @Override
    public String datasetsHelp() { return "a task file (my-tasks.jsonl: HumanEval format or instruction + tests)"; }

    @Override
    public boolean accepts(String dataset) {
        String d = dataset.strip().toLowerCase(Locale.ROOT);
        if (d.endsWith(".jsonl") || d.endsWith(".jsonl.gz") || d.endsWith(".json")) return true;
        try {
            return Files.isRegularFile(Path.of(dataset.strip()));
        } catch (InvalidPathException e) {
            return false;
        }
    }

    @Override
    public BenchmarkSuite<Results> open(EvalOptions o, Supplier<Sandbox> sandbox) {
        UserTaskFile.Loaded file = UserTaskFile.load(Path.of(o.dataset().strip()));
        UserTasksBenchmark[] b = new UserTasksBenchmark[1];
        PythonEvaluator[] made = new PythonEvaluator[1];  // made when the first sample is judged (the sandbox is then needed)
        b[0] = new UserTasksBenchmark(file, o, () -> {
            synchronized (made) {
                if (made[0] == null) made[0] = new PythonEvaluator(sandbox.get(), b[0].dataset(), o.cacheDir());
                return made[0];
            }
        });
        return new BenchmarkSuite<>() {
            @Override
            public List<UserTasksBenchmark> parts() { return List.of(b[0]); }

            @Override
            public EvalOutcome summarize(List<Results> scores, String model, Path out) {
                return EvalPlusFamily.outcome(scores.get(0), out);
            }
        };
    }

    /** Its runs are HumanEval/MBPP-shaped: that family recognises and compares them. */
    @Override
    public boolean isRun(Path dir) {
        return false;
    }

    @Override
    public RunComparison compare(List<Path> runs) {
        return Compare.of(runs);
    }
}
