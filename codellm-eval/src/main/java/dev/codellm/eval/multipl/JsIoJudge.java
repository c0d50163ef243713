package dev.codellm.eval.multipl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import dev.codellm.eval.sandbox.RunResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * MultiPL-E JavaScript and TypeScript tests run as I/O with the verdict decided outside the
 * sandbox (issue 21 §2). The candidate's process gets the prompt + completion and a driver that calls
 * {@code candidate(args)} for each test and writes each result, encoded as values only
 * ({@code js_io_values.js}), to a result file; the expected literals never enter it. The
 * expected values come from a separate sandbox run of the same encoder on the literals alone
 * (no candidate code), once per problem. Java compares the two under {@code assert.deepEqual}'s
 * rules ({@link JsValues}). So an early exit, a patched {@code assert}, a forged result file or
 * a patched encoder cannot make a wrong answer pass: only the right values can.
 *
 * <p>Differences from the assert program, none of which can turn a fail into a pass: the driver
 * keeps calling after a wrong value (the assert program stops there), so a later test's hang
 * gives Timeout where the assert program said Exception; a call that throws ends the run as the
 * assert program's first exception does.
 *
 * <p>TypeScript: the driver is TypeScript too (it starts with the tests' own
 * {@code declare var require: any;}), so tsc type-checks the calls' arguments against the
 * candidate's signature exactly as in the assert program, and a tsc failure is the same
 * SyntaxError. The expected literals are type-checked alone there (the tests' {@code assert} is
 * {@code any}, so nothing relates them to the candidate's types): the expected run is compiled by
 * tsc too, and a row whose literals tsc rejects keeps the assert program.
 */
final class JsIoJudge {
    static final String RESULTS = ".io-results.jsonl";
    private static final String ENCODER = resource("js_io_values.js");

    private final MultiplExecutor executor;
    private final MultiplLanguage lang;
    /** Expected values per problem name and tests text; empty list = could not be evaluated. */
    private final Map<String, List<JsonNode>> expected = new ConcurrentHashMap<>();

    JsIoJudge(MultiplExecutor executor, MultiplLanguage lang) {
        if (lang != MultiplLanguage.JS && lang != MultiplLanguage.TS) throw new IllegalArgumentException("not JS or TS: " + lang);
        this.executor = executor;
        this.lang = lang;
    }

    /** The I/O verdict, or empty when this row's tests do not parse (it keeps the assert program). */
    Optional<Execution> judge(MultiplProblem problem, String program) {
        Optional<JsTestCalls> parsed = JsTestCalls.parse(lang, problem.tests());
        String suffix = "\n" + problem.tests();
        if (parsed.isEmpty() || !program.endsWith(suffix)) return Optional.empty();
        JsTestCalls calls = parsed.get();
        List<JsonNode> want = expected.computeIfAbsent(problem.name() + "\u0000" + problem.tests(), k -> evaluateExpected(problem, calls));
        if (want.isEmpty()) return Optional.empty();
        String source = program.substring(0, program.length() - suffix.length()) + "\n";
        List<String> thunks = calls.calls().stream().map(c -> "() => candidate(" + c.args() + ")").toList();
        RunResult r = executor.run(lang, source + driver(lang, "const candidate = " + calls.function() + ";", thunks), List.of(RESULTS));
        return Optional.of(verdict(r, want));
    }

    Execution verdict(RunResult r, List<JsonNode> want) {
        Execution early = executor.compileVerdict(lang, r);
        if (early != null) return early;
        Execution ran = executor.runVerdict(lang, r);
        if (ran.status() != Status.OK) return ran;
        List<JsonNode> got = decode(r.fileText(RESULTS));
        String why = null;
        if (got == null || got.size() != want.size()) {
            why = "expected " + want.size() + " results, the run wrote " + (got == null ? "an unreadable result file" : got.size());
        } else {
            for (int i = 0; i < want.size() && why == null; i++) {
                if (!JsValues.deepEqual(got.get(i), want.get(i))) why = "test " + (i + 1) + ": got " + got.get(i) + ", expected " + want.get(i);
            }
        }
        if (why == null) return ran;
        return new Execution(Status.Exception, r.exitCode(), r.stdout(), r.stderr() + "\ncodellm I/O verdict: " + why + "\n", r.wallMillis());
    }

    /** Attempts at evaluating a problem's expected values before the run is stopped with an error. */
    private static final int EXPECTED_ATTEMPTS = 3;

    /**
     * The expected literals evaluated by the encoder alone, in a sandbox run with no candidate
     * code. Empty (the row keeps its assert program, cached) only when the literals themselves
     * cannot be: a compile or syntax error, a literal that throws or is not representable. A run
     * that failed for any other reason (a timeout or crash on a loaded machine) is retried and
     * then stops the evaluation with an error: falling back silently would hand that sample the
     * forgeable assert program.
     */
    private List<JsonNode> evaluateExpected(MultiplProblem problem, JsTestCalls calls) {
        List<String> thunks = calls.calls().stream().map(c -> "() => (" + c.expected() + ")").toList();
        String why = null;
        for (int attempt = 0; attempt < EXPECTED_ATTEMPTS; attempt++) {
            RunResult r = executor.run(lang, driver(lang, "", thunks), List.of(RESULTS));
            Execution compiled = executor.compileVerdict(lang, r);
            Execution e = compiled != null ? compiled : executor.runVerdict(lang, r);
            List<JsonNode> values = decode(r.fileText(RESULTS));
            boolean unrepresentable = values != null && values.stream().anyMatch(v -> v.toString().contains("[\"?\"") || v.toString().startsWith("[\"x\""));
            if (e.status() == Status.SyntaxError || unrepresentable) return List.of();
            if (e.status() == Status.OK && values != null && values.size() == thunks.size()) return values;
            why = e.status() + " (exit " + e.exitCode() + ", " + (values == null ? "no result file" : values.size() + " of " + thunks.size() + " values")
                    + "): " + e.stderr().strip();
        }
        throw new CodellmException("could not evaluate the expected values of " + problem.name() + " (" + lang.displayName() + ") in "
                + EXPECTED_ATTEMPTS + " sandbox runs; last: " + why);
    }

    /**
     * A driver calling each thunk in order and writing one encoded result per line; the first
     * call that throws is written as {@code ["x", message]} and ends the run with exit 1. For
     * TypeScript it starts with the tests' {@code declare var require: any;} and is valid
     * TypeScript (no annotations needed: MultiPL-E's tsc runs without {@code --strict}; no
     * {@code @types/node} either, so {@code process} is reached through {@code require}).
     */
    static String driver(MultiplLanguage lang, String prelude, List<String> thunks) {
        StringBuilder sb = new StringBuilder(lang == MultiplLanguage.TS ? JsTestCalls.TS_HEADER : "").append(";(function () {\n").append(ENCODER).append('\n').append(prelude).append('\n')
                .append("const fs = require(\"fs\");\nconst fd = fs.openSync(\"").append(RESULTS).append("\", \"w\");\n")
                .append("const tests = [\n");
        for (String t : thunks) sb.append("  ").append(t).append(",\n");
        sb.append("];\nfor (const t of tests) {\n")
                .append("  let r, threw = false;\n")
                .append("  try { r = __codellmEncode(t()); } catch (e) { threw = true; let m; try { m = String(e); } catch (_) { m = \"unprintable\"; } r = [\"x\", m]; }\n")
                .append("  fs.writeSync(fd, JSON.stringify(r) + \"\\n\");\n")
                .append("  if (threw) { console.error(\"codellm I/O driver: test threw: \" + r[1]); require(\"process\").exit(1); }\n")
                .append("}\nfs.closeSync(fd);\n})();\n");
        return sb.toString();
    }

    /** One JSON value per line, or null if any line is not JSON. */
    static List<JsonNode> decode(String text) {
        if (text == null) return null;
        List<JsonNode> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) continue;
            try {
                out.add(Json.WIRE.readTree(line));
            } catch (IOException e) {
                return null;
            }
        }
        return out;
    }

    private static String resource(String name) {
        try (InputStream in = JsIoJudge.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
