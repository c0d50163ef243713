package dev.codellm.eval.ds1000;

import java.util.List;

/**
 * How DS-1000 asks a model and reads its answer, as the official harness does: the prompt is
 * completed as it is (the completion format), generation stops at {@code </code>} or
 * {@code # SOLUTION END} (the DS-1000 paper's stop sequences; the second ends Matplotlib
 * answers), and the answer is post-processed by upstream {@code test_ds1000.py}'s rules.
 */
public final class Ds1000Prompt {
    public static final List<String> STOPS = List.of("</code>", "# SOLUTION END");

    private Ds1000Prompt() {}

    /**
     * Upstream's post-processing, in its order: keep what precedes the first {@code </code>}, drop
     * {@code ```python}, keep what precedes the next {@code ```}, keep what precedes
     * {@code \nEND SOLUTION}, drop {@code <code>}.
     */
    public static String postprocess(String answer) {
        String code = before(answer, "</code>");
        code = code.replace("```python", "");
        code = before(code, "```");
        code = before(code, "\nEND SOLUTION");
        return code.replace("<code>", "");
    }

    private static String before(String s, String mark) {
        int i = s.indexOf(mark);
        return i < 0 ? s : s.substring(0, i);
    }
}
