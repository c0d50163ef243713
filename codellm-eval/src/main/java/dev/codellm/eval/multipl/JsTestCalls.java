package dev.codellm.eval.multipl;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A MultiPL-E JavaScript or TypeScript test program read back as data: the function under test
 * and, for each {@code assert.deepEqual(candidate(ARGS),EXPECTED);} line, the source text of ARGS
 * and EXPECTED. Both languages' translations share this shape (TypeScript's only adds a
 * {@code declare var require: any;} header), and TypeScript runs as JavaScript, so both use it.
 * Used to run the tests as I/O ({@link JsIoJudge}): the candidate's process only sees the
 * arguments, the expected literals are evaluated in a separate run without candidate code.
 * Only the exact shape MultiPL-E generates is recognised (JS 160 of 161 rows, TS 159 of 159);
 * anything else, or any line that does not split cleanly, makes {@link #parse} empty and the row
 * keeps its assert program.
 */
public record JsTestCalls(String function, List<Call> calls) {
    /** One test: source text of the call's arguments and of the expected value. */
    public record Call(String args, String expected) {}

    /** The header TypeScript's tests start with, so that tsc accepts {@code require}. */
    static final String TS_HEADER = "declare var require: any;\n";
    private static final Pattern PROGRAM = Pattern.compile(
            "(" + Pattern.quote(TS_HEADER) + ")?const assert = require\\('node:assert'\\);\n\n\nfunction test\\(\\) \\{\n"
                    + "  let candidate = ([A-Za-z_$][A-Za-z0-9_$]*);\n((?:  assert\\.deepEqual\\(candidate\\(.*\\);\n)+)\\}\n\ntest\\(\\);\\s*");
    private static final String LINE_START = "  assert.deepEqual(candidate(";
    private static final String LINE_END = ");";

    /** The tests of a JS or TS row; empty if they do not have exactly that language's shape. */
    public static Optional<JsTestCalls> parse(MultiplLanguage lang, String tests) {
        if (lang != MultiplLanguage.JS && lang != MultiplLanguage.TS) return Optional.empty();
        Matcher m = PROGRAM.matcher(tests);
        if (!m.matches() || (m.group(1) != null) != (lang == MultiplLanguage.TS)) return Optional.empty();
        List<Call> calls = new ArrayList<>();
        for (String line : m.group(3).split("\n")) {
            if (!line.startsWith(LINE_START) || !line.endsWith(LINE_END)) return Optional.empty();
            String body = line.substring(LINE_START.length(), line.length() - LINE_END.length());
            int close = balancedEnd(body, 0);
            if (close < 0 || close >= body.length() || body.charAt(close) != ')') return Optional.empty();
            String args = body.substring(0, close);
            int comma = close + 1;
            if (comma >= body.length() || body.charAt(comma) != ',') return Optional.empty();
            String expected = body.substring(comma + 1).strip();
            // The expected value must be one balanced expression that names no candidate code.
            // A top-level comma would be assert.deepEqual's message argument, not part of the value.
            if (expected.isEmpty() || balancedEnd(expected, 0) != expected.length() || hasTopLevelComma(expected)
                    || expected.contains("candidate")) return Optional.empty();
            calls.add(new Call(args, expected));
        }
        return Optional.of(new JsTestCalls(m.group(2), List.copyOf(calls)));
    }

    /**
     * Index of the first unmatched closing bracket at depth 0 (or of a top-level comma's end,
     * i.e. text length when everything balances), skipping string literals; -1 if a string or
     * bracket is left open or brackets mismatch.
     */
    static int balancedEnd(String s, int from) {
        Deque depth = new Deque();
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"', '\'', '`' -> {
                    int j = i + 1;
                    while (j < s.length() && s.charAt(j) != c) j += s.charAt(j) == '\\' ? 2 : 1;
                    if (j >= s.length()) return -1;
                    i = j;
                }
                case '(', '[', '{' -> depth.push(c);
                case ')', ']', '}' -> {
                    if (depth.isEmpty()) return i;
                    char open = depth.pop();
                    if ("([{".indexOf(open) != ")]}".indexOf(c)) return -1;
                }
                default -> { }
            }
        }
        return depth.isEmpty() ? s.length() : -1;
    }

    /** Whether a balanced expression has a comma outside every bracket and string literal. */
    static boolean hasTopLevelComma(String s) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"', '\'', '`' -> {
                    int j = i + 1;
                    while (j < s.length() && s.charAt(j) != c) j += s.charAt(j) == '\\' ? 2 : 1;
                    i = j;
                }
                case '(', '[', '{' -> depth++;
                case ')', ']', '}' -> depth--;
                case ',' -> { if (depth == 0) return true; }
                default -> { }
            }
        }
        return false;
    }

    /** A char stack without boxing. */
    private static final class Deque {
        private final StringBuilder sb = new StringBuilder();
        void push(char c) { sb.append(c); }
        char pop() { char c = sb.charAt(sb.length() - 1); sb.setLength(sb.length() - 1); return c; }
        boolean isEmpty() { return sb.isEmpty(); }
    }
}
