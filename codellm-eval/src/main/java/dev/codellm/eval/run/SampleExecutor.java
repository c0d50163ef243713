package dev.codellm.eval.run;

import java.util.List;

/**
 * Judges the programs of one kind of benchmark, in the sandbox ({@code PythonEvaluator} for
 * HumanEval(+)/MBPP(+), {@code MultiplExecutor} for MultiPL-E). Thread-safe: the driver calls it
 * from {@code --jobs} threads. How a verdict is decided is the executor's alone; benchmarks
 * only hand it a task and a program.
 *
 * @param <T> the task type
 * @param <V> the verdict
 */
public interface SampleExecutor<T, V> {
    /** Work needed once before these tasks are judged (EvalPlus's ground truth); none by default. */
    default void prepare(List<T> tasks, int jobs) {}

    /** The verdict on one program for one task. */
    V judge(T task, String program);

    /** One line on how programs are run, for run.json and the reports. */
    String describe();
}
