package dev.codellm.eval;

import dev.codellm.core.CodellmException;
import dev.codellm.eval.ds1000.Ds1000Family;
import dev.codellm.eval.evalplus.EvalPlusFamily;
import dev.codellm.eval.keyretrieval.KeyRetrievalFamily;
import dev.codellm.eval.multipl.MultiplFamily;
import dev.codellm.eval.tasks.UserTasksFamily;
import dev.codellm.eval.run.BenchmarkFamily;
import dev.codellm.eval.run.BenchmarkSuite;
import dev.codellm.eval.run.EvalOptions;
import dev.codellm.eval.run.EvalOutcome;
import dev.codellm.eval.run.Evaluation;
import dev.codellm.eval.run.RunComparison;
import dev.codellm.eval.run.SampleSource;
import dev.codellm.eval.sandbox.BwrapSandbox;
import dev.codellm.eval.sandbox.Sandbox;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The eval module's front door: every kind of benchmark {@code --dataset} can name (one
 * {@link BenchmarkFamily} each; a new kind is one more entry here), running a {@code --dataset}
 * through the one driver, and comparing finished runs. Callers never ask which kind it is.
 */
public final class EvalDatasets {
    /** The families, in the order a {@code --dataset} value is offered to them. */
    public static final List<BenchmarkFamily> FAMILIES = List.of(new EvalPlusFamily(), new MultiplFamily(), new Ds1000Family(),
            new KeyRetrievalFamily(), new UserTasksFamily());  // last: it takes any file name

    private EvalDatasets() {}

    /** The family that takes a {@code --dataset} value, or a one-line error listing what there is. */
    public static BenchmarkFamily family(String dataset) {
        return FAMILIES.stream().filter(f -> f.accepts(dataset)).findFirst().orElseThrow(() -> new CodellmException("unknown dataset '"
                + dataset + "' (choose one of: " + FAMILIES.stream().map(BenchmarkFamily::datasetsHelp).collect(Collectors.joining(", ")) + ")"));
    }

    /** The suite {@code o.dataset()} names, loaded. The sandbox is only made if a sample is judged in it. */
    public static BenchmarkSuite<?> open(EvalOptions o, Supplier<Sandbox> sandbox) {
        return family(o.dataset()).open(o, once(sandbox));
    }

    /** Runs {@code o.dataset()} with samples from {@code source} in the default sandbox; returns what to print. */
    public static EvalOutcome run(EvalOptions o, SampleSource source) {
        return prepare(o).run(source).outcome();
    }

    public static EvalOutcome run(EvalOptions o, SampleSource source, Supplier<Sandbox> sandbox) {
        return new Evaluation<>(open(o, sandbox), o).run(source).outcome();
    }

    /**
     * Loads {@code o.dataset()} (so a bad name or a missing file is reported before a model is
     * loaded); {@link Evaluation#run} then runs it in the default sandbox.
     */
    public static Evaluation<?> prepare(EvalOptions o) {
        return new Evaluation<>(open(o, () -> defaultSandbox(o.jobs())), o);
    }

    /**
     * bubblewrap with one uid slot per parallel test run (and two spare, e.g. Go's cache warm-up);
     * {@value BwrapSandbox#RUN_AS_PROPERTY} is honoured, so every evaluator's tests can run the
     * unprivileged launch too.
     */
    public static Sandbox defaultSandbox(int jobs) {
        return BwrapSandbox.create(Math.max(jobs, 1) + 2);
    }

    /** {@code codellm eval compare}: the runs must all be of one family. */
    public static RunComparison compare(List<Path> runs) {
        if (runs.isEmpty()) throw new CodellmException("nothing to compare");
        BenchmarkFamily first = recognise(runs.get(0)).orElse(FAMILIES.get(0));  // none: its loader names what is missing
        List<Path> other = runs.stream().filter(r -> !first.isRun(r)).toList();
        if (!other.isEmpty()) {
            Optional<BenchmarkFamily> second = recognise(other.get(0));
            if (second.isPresent() && second.get() != first) {
                throw new CodellmException("cannot compare " + first.name() + " runs with " + second.get().name() + " runs: "
                        + other.stream().map(Path::toString).toList() + " are not " + first.name());
            }
        }
        return first.compare(runs);
    }

    /** The family whose finished run {@code dir} is. */
    private static Optional<BenchmarkFamily> recognise(Path dir) {
        return FAMILIES.stream().filter(f -> f.isRun(dir)).findFirst();
    }

    private static <T> Supplier<T> once(Supplier<T> s) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) value = s.get();
                return value;
            }
        };
    }
}
