package dev.codellm.eval.data;

import java.util.List;

/**
 * The MBPP few-shot format of Austin et al. (2021), used by Code Llama: tasks 2, 3 and 4 as
 * worked examples, then the task with {@code [BEGIN]} opened; generation stops at {@code [DONE]}.
 * <pre>
 * You are an expert Python programmer, and here is your task: {text} Your code should pass these tests:
 *
 * {test 1}
 * {test 2}
 * {test 3}
 * [BEGIN]
 * {code}
 * [DONE]
 * </pre>
 */
public final class MbppPrompt {
    public static final List<Integer> SHOT_IDS = List.of(2, 3, 4);
    public static final String STOP = "[DONE]";

    private MbppPrompt() {}

    /** The task header without code: text and tests. */
    public static String header(String text, List<String> tests) {
        return "You are an expert Python programmer, and here is your task: " + text.strip()
                + " Your code should pass these tests:\n\n" + String.join("\n", tests) + "\n";
    }

    public static String example(String text, List<String> tests, String code) {
        return header(text, tests) + "[BEGIN]\n" + code.replace("\r\n", "\n").strip() + "\n" + STOP + "\n";
    }

    /** Few-shot examples followed by the open task. */
    public static String prompt(String shots, String text, List<String> tests) {
        return shots + header(text, tests) + "[BEGIN]\n";
    }
}
