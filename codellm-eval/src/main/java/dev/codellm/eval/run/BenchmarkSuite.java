package dev.codellm.eval.run;

import java.nio.file.Path;
import java.util.List;

/**
 * What one {@code --dataset} value names: one benchmark, or several run one after another
 * (MultiPL-E's languages), and how their scores are summarised for the user.
 *
 * @param <S> the score each part gives
 */
public interface BenchmarkSuite<S> {
    List<? extends Benchmark<?, S>> parts();

    /**
     * Writes what the suite writes beyond its parts (e.g. MultiPL-E's {@code summary.json} and
     * {@code report.html}) and returns what the CLI prints.
     *
     * @param scores the parts' scores, in {@link #parts()} order
     * @param model  what produced the samples
     * @param out    the run's {@code --out}
     */
    EvalOutcome summarize(List<S> scores, String model, Path out);
}
