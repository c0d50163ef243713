package dev.codellm.eval.evalplus;

import dev.codellm.core.benchmark.BenchmarkFiles;
import dev.codellm.eval.data.Dataset;
import dev.codellm.eval.data.DatasetId;
import dev.codellm.eval.exec.PythonEvaluator;
import dev.codellm.eval.report.Compare;
import dev.codellm.eval.report.Results;
import dev.codellm.eval.run.BenchmarkFamily;
import dev.codellm.eval.run.BenchmarkSuite;
import dev.codellm.eval.run.EvalOptions;
import dev.codellm.eval.run.EvalOutcome;
import dev.codellm.eval.run.RunComparison;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import dev.codellm.eval.sandbox.Sandbox;

/** HumanEval, HumanEval+, MBPP and MBPP+ (any registry alias): one {@link EvalPlusBenchmark} per run. */
public final class EvalPlusFamily implements BenchmarkFamily {
    @Override
    public String name() { return "HumanEval/MBPP"; }

    @Override
    public String datasetsHelp() { return "humaneval, humaneval+, mbpp, mbpp+"; }

    @Override
    public boolean accepts(String dataset) {
        return DatasetId.find(dataset).isPresent();
    }

    @Override
    public BenchmarkSuite<Results> open(EvalOptions o, Supplier<Sandbox> sandbox) {
        Dataset d = Dataset.load(DatasetId.parse(o.dataset()), BenchmarkFiles.of(o.dataDir(), o.cacheDir()));
        return suite(d, o, sandbox);
    }

    /** The suite for an already loaded dataset (its first {@code o.limit()} tasks are run). */
    public static BenchmarkSuite<Results> suite(Dataset full, EvalOptions o, Supplier<Sandbox> sandbox) {
        Dataset d = full.limit(o.limit());
        EvalPlusBenchmark b = new EvalPlusBenchmark(d, o, () -> new PythonEvaluator(sandbox.get(), d, o.cacheDir()));
        return new BenchmarkSuite<>() {
            @Override
            public List<EvalPlusBenchmark> parts() { return List.of(b); }

            @Override
            public EvalOutcome summarize(List<Results> scores, String model, Path out) {
                return outcome(scores.get(0), out);
            }
        };
    }

    /** pass@k lines (base, then plus) and where the report is; {@code --json}: pass_at_k.json's content. */
    public static EvalOutcome outcome(Results r, Path out) {
        StringBuilder w = new StringBuilder(String.format(Locale.ROOT, "%s on %s: %d tasks%n", r.model(), r.datasetName(), r.outcomes().size()));
        for (Map.Entry<String, Double> e : r.passAtK(false).entrySet()) {
            w.append(String.format(Locale.ROOT, "  base %-8s %6.2f%%%n", e.getKey(), 100 * e.getValue()));
        }
        if (r.plus()) {
            for (Map.Entry<String, Double> e : r.passAtK(true).entrySet()) {
                w.append(String.format(Locale.ROOT, "  plus %-8s %6.2f%%%n", e.getKey(), 100 * e.getValue()));
            }
        }
        w.append("  report: ").append(out.resolve("report.html")).append('\n');
        return new EvalOutcome(w.toString(), r.passAtKJson());
    }

    @Override
    public boolean isRun(Path dir) {
        return Files.isRegularFile(dir.resolve("eval_results.json"));
    }

    @Override
    public RunComparison compare(List<Path> runs) {
        return Compare.of(runs);
    }
}
