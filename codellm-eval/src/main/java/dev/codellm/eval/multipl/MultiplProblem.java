package dev.codellm.eval.multipl;

import java.util.List;

/**
 * One MultiPL-E HumanEval translation (v2.x "reworded" rows).
 *
 * @param name       e.g. {@code HumanEval_23_strlen}
 * @param language   the dataset's language field ({@code java}, {@code cpp}, ..., {@code go_test.go})
 * @param prompt     function signature and doc comment the model continues
 * @param tests      test code appended after the completion
 * @param stopTokens where a completion is cut (same for every row of a language)
 */
public record MultiplProblem(String name, String language, String prompt, String tests, List<String> stopTokens) {

    /** The HumanEval task id this row translates, e.g. {@code HumanEval/23}. */
    public String humanEvalTaskId() {
        String[] parts = name.split("_");
        return "HumanEval/" + parts[1];
    }

    /** MultiPL-E truncation: the completion up to the first occurrence of any stop token. */
    public String truncate(String completion) {
        int cut = completion.length();
        for (String stop : stopTokens) {
            int i = completion.indexOf(stop);
            if (i >= 0 && i < cut) cut = i;
        }
        return completion.substring(0, cut);
    }

    /** The program MultiPL-E runs: prompt + truncated completion + newline + tests. */
    public String program(String completion) {
        return prompt + truncate(completion) + "\n" + tests;
    }
}
