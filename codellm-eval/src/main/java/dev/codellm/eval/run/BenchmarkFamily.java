package dev.codellm.eval.run;

import dev.codellm.eval.sandbox.Sandbox;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * A kind of benchmark that {@code --dataset} can name (EvalPlus-format Python benchmarks,
 * MultiPL-E, ...): it turns a {@code --dataset} value into a runnable suite, recognises its
 * finished runs and compares them. {@link EvalDatasets} holds the list.
 */
public interface BenchmarkFamily {
    /** The family's name in messages, e.g. {@code MultiPL-E}. */
    String name();

    /** The {@code --dataset} values it takes, for help and errors, e.g. {@code humaneval, mbpp+}. */
    String datasetsHelp();

    /** Whether this family handles the {@code --dataset} value. */
    boolean accepts(String dataset);

    /** The benchmarks a {@code --dataset} value names, loaded and ready to run; the sandbox is made only if needed. */
    BenchmarkSuite<?> open(EvalOptions options, Supplier<Sandbox> sandbox);

    /** Whether a directory holds a finished run of this family ({@code eval compare} input). */
    boolean isRun(Path dir);

    /** Compares finished runs of this family. */
    RunComparison compare(List<Path> runs);
}
