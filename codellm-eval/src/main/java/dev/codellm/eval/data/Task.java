package dev.codellm.eval.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One benchmark problem.
 *
 * @param taskId            e.g. {@code HumanEval/0}, {@code Mbpp/2}, or {@code 11} for original MBPP
 * @param prompt            what a base model completes (HumanEval signature+docstring, MBPP 3-shot text, MBPP+ docstring)
 * @param instruction       the problem as shown to an instruct model (the prompt without few-shot examples)
 * @param entryPoint        the function the tests call
 * @param canonicalSolution the reference code, as a completion of {@code prompt} for HumanEval(+) / MBPP+,
 *                          as a whole program for original MBPP
 * @param tests             assert-style test chunks run in order (HumanEval: check() then the call; MBPP: setup then each assert);
 *                          empty for plus datasets, which are tested through inputs
 * @param raw               the dataset record as read (plus inputs, atol, ...), passed to the harness
 */
public record Task(String taskId, String prompt, String instruction, String entryPoint, String canonicalSolution,
                   List<String> tests, ObjectNode raw) {
    public Task {
        tests = List.copyOf(tests);
    }
}
