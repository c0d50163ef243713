package dev.codellm.eval.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.Generator;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One benchmark as the evaluation driver ({@link Evaluation}) runs it. The driver does what is
 * the same for every benchmark: {@code run.json} and {@code --resume}, {@code samples.jsonl} and
 * {@code samples_results.jsonl} keyed by {@link SampleKey} and appended as work finishes, the
 * worker pools and progress. An implementation says only what is its own: the tasks, how a
 * model is asked, how a sample is judged and its verdict stored, and what files it writes at
 * the end. HumanEval(+)/MBPP(+) and each MultiPL-E language implement it; DS-1000, a user's
 * task file or key retrieval are one more implementation each (and a {@link BenchmarkFamily}
 * that names them).
 *
 * @param <V> the verdict on one sample
 * @param <S> the score of the whole benchmark, which its {@link BenchmarkSuite} summarises
 */
public interface Benchmark<V, S> {
    /** The name runs record and reports show, e.g. {@code humaneval+} or {@code multipl-e/java}. */
    String name();

    /** SHA-256 of the dataset content the tasks came from. */
    String sha256();

    /** The task ids, in dataset order (after {@code --limit}). */
    List<String> taskIds();

    /** Where this benchmark's files go inside {@code --out}. */
    Path dir(Path out);

    /** What judges the samples (the sandbox, or "exact match"), for run.json and the reports. */
    String describeJudge();

    /** How tasks are put to a model ({@code base}, {@code instruct}, ...), for run.json; null when there is no choice. */
    default String promptStyle() {
        return null;
    }

    /**
     * When this machine cannot score the benchmark (a missing toolchain), the score to report
     * instead, and nothing is generated or run; empty when it can run.
     */
    default Optional<S> unscorable(int samplesPerTask) {
        return Optional.empty();
    }

    /** Checks, before anything is generated, that the options fit generation (e.g. the prompt style). */
    default void checkGeneration() {}

    /**
     * Checks, before anything is generated, that the tasks' prompts fit the generator's context
     * ({@link Generator#checkFits}); benchmarks whose over-long prompts are part of the test
     * (key retrieval) keep the default, which checks nothing.
     */
    default void checkFits(Generator generator) {}

    /** Sample {@code completionId} of a task from the model. Called from several threads at once. */
    SampleRecord generate(Generator generator, String taskId, int completionId);

    /**
     * The samples a user's file holds for this benchmark, numbered per task in file order; rows
     * of tasks outside it (another benchmark, beyond {@code --limit}) are skipped. Errors name
     * the line.
     */
    List<SampleRecord> samplesFromFile(Path file);

    /** The reference solutions as samples, {@code n} copies each; a CodellmException when there are none. */
    List<SampleRecord> canonical(int n);

    /** Work needed once before these tasks' samples are judged (EvalPlus's ground truth); none by default. */
    default void prepare(Collection<String> taskIds, int jobs) {}

    /** Judges one sample. Called from several threads at once. */
    V judge(SampleRecord sample);

    /**
     * How many samples one judging job takes: more than 1 when judging them together is cheaper
     * (DS-1000 imports its libraries once per sandbox for a whole batch). Verdicts of a batch are
     * appended when the batch ends, so a kill loses at most one batch per job.
     */
    default int judgeBatch() {
        return 1;
    }

    /** Judges up to {@link #judgeBatch()} samples, verdicts in the same order; by default one by one. */
    default List<V> judge(List<SampleRecord> samples) {
        return samples.stream().map(this::judge).toList();
    }

    /** The sample's line of {@code samples_results.jsonl}; holds {@code task_id} and {@code completion_id}. */
    ObjectNode resultRow(SampleRecord sample, V verdict);

    /** The verdict a line of {@code samples_results.jsonl} holds (what {@link #resultRow} wrote). */
    V verdict(JsonNode row);

    /**
     * Scores every sample and writes the benchmark's result files into {@code dir}.
     *
     * @param samples  all samples, in task order then completion id
     * @param verdicts one per sample
     * @param model    what produced the samples (model, samples file or "canonical")
     */
    S score(List<SampleRecord> samples, Map<SampleKey, V> verdicts, String model, Path dir);
}
