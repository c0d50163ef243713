package dev.codellm.data.selfinstruct;

import dev.codellm.core.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The three requests of Code Llama's self-instruct recipe (Rozière et al. 2023, §2.5 "Self-instruct":
 * interview-style questions from a large model, unit tests and ten solutions from a code model,
 * the first solution that passes kept) and the parsers of their answers. The recipe is Code
 * Llama's; the wording of the requests is ours.
 */
public final class SelfInstructPrompt {
    private SelfInstructPrompt() {}

    /** Seed topics when no --seeds file is given: the usual interview areas. */
    public static final List<String> DEFAULT_TOPICS = List.of(
            "string manipulation", "arrays and lists", "hash maps and counting", "two pointers", "sliding windows", "sorting",
            "binary search", "stacks and queues", "recursion", "dynamic programming", "greedy algorithms", "graphs: breadth- and depth-first search",
            "trees given as nested lists or dicts", "matrices and grids", "number theory", "bit manipulation", "intervals", "dates and times",
            "parsing text", "simulation", "combinatorics", "geometry on the plane", "heaps and priority queues", "sets and deduplication");

    /** Ask for {@code n} questions on a topic. */
    public static List<ChatMessage> questions(String topic, int n) {
        return List.of(ChatMessage.user("Write " + n + " different interview-style programming questions about " + topic + ". "
                + "Each question must be self-contained, state its input and expected output precisely, and be answerable with a single "
                + "Python function of a few dozen lines that takes arguments and returns a value (no input(), no printing, no files). "
                + "Do not give solutions. Answer with a numbered list, one question per item."));
    }

    /** Ask for unit tests of a question, as assert statements calling a function whose signature comes first. */
    public static List<ChatMessage> tests(String question) {
        return List.of(ChatMessage.user(question.strip() + "\n\nWrite unit tests for a Python function that answers this question. "
                + "On the first line give the function's signature as `def name(arguments):`. Then give between 3 and 10 tests in one "
                + "```python code block, each a single `assert` statement that calls the function with literal arguments and compares "
                + "the result with the expected value. Do not write the function itself."));
    }

    /** Ask for a solution that the tests will call as {@code signature}. */
    public static List<ChatMessage> solution(String question, String signature) {
        return List.of(ChatMessage.user(question.strip() + "\n\nWrite the Python function `" + signature.strip()
                + "` that answers the question. Answer with the complete code (imports included) in one ```python code block."));
    }

    private static final Pattern ITEM = Pattern.compile("(?m)^\\s*(?:\\*\\*)?(?:(?:question\\s*)?\\d{1,3}\\s*[.):]|[-*]\\s)\\s*(?:\\*\\*)?");

    /** The items of a numbered (or bulleted) list, each stripped; items shorter than 30 characters are dropped. */
    public static List<String> parseQuestions(String answer) {
        List<String> out = new ArrayList<>();
        if (answer == null) return out;
        Matcher m = ITEM.matcher(answer);
        List<int[]> starts = new ArrayList<>();
        while (m.find()) starts.add(new int[] {m.start(), m.end()});
        for (int i = 0; i < starts.size(); i++) {
            int end = i + 1 < starts.size() ? starts.get(i + 1)[0] : answer.length();
            String q = answer.substring(starts.get(i)[1], end).strip().replaceAll("\\*\\*$", "").strip();
            if (q.length() >= 30) out.add(q);
        }
        return out;
    }

    /** Unit tests in a test answer: the signature and the assert statements. */
    public record Tests(String signature, String entryPoint, List<String> asserts) {}

    private static final Pattern SIGNATURE = Pattern.compile("def\\s+([A-Za-z_]\\w*)\\s*\\(([^)]*)\\)\\s*(?:->\\s*[^:\\n]+)?:");
    private static final Pattern FENCE = Pattern.compile("```[\\w+-]*[^\\n]*\\n(.*?)```", Pattern.DOTALL);

    /** The tests, or null when the answer has no signature or no assert calling it. */
    public static Tests parseTests(String answer) {
        if (answer == null) return null;
        Matcher sig = SIGNATURE.matcher(answer);
        if (!sig.find()) return null;
        String name = sig.group(1), signature = sig.group(0).strip();
        String code = answer;
        Matcher f = FENCE.matcher(answer);
        while (f.find()) {
            if (f.group(1).contains("assert")) {
                code = f.group(1);
                break;
            }
        }
        List<String> asserts = new ArrayList<>();
        StringBuilder cur = null;
        for (String line : code.split("\n")) {
            if (line.startsWith("assert ")) {
                if (cur != null) asserts.add(cur.toString());
                cur = new StringBuilder(line.stripTrailing());
            } else if (cur != null && !line.isBlank() && Character.isWhitespace(line.charAt(0))) {
                cur.append('\n').append(line.stripTrailing());  // a continued assert
            } else {
                if (cur != null) asserts.add(cur.toString());
                cur = null;
            }
        }
        if (cur != null) asserts.add(cur.toString());
        asserts.removeIf(a -> !a.contains(name + "("));
        return asserts.isEmpty() ? null : new Tests(signature, name, List.copyOf(asserts));
    }

    /** Normalised text for exact duplicate checks. */
    static String key(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]+", " ").strip();
    }
}
