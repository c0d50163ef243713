package dev.codellm.eval.multipl;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.eval.sandbox.BwrapSandbox;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MultiPL-E JavaScript as I/O with the verdict decided in Java ({@link JsIoJudge}): the tests
 * parse back exactly, the Java equality agrees with Node's own {@code assert.deepEqual}, honest
 * solutions keep their assert-program verdicts, and the tricks that fool the assert program fail.
 */
class JsIoJudgeTest {
    private static MultiplExecutor executor;
    private static List<MultiplProblem> rows;

    @BeforeAll
    static void setUp() {
        executor = new MultiplExecutor(BwrapSandbox.create(), 4.0);
        rows = MultiplDataset.load(MultiplLanguage.JS);
    }

    /** Rebuilds the assert program MultiPL-E generated from the parsed calls. */
    static String assertProgram(MultiplLanguage lang, JsTestCalls c) {
        StringBuilder sb = new StringBuilder(lang == MultiplLanguage.TS ? JsTestCalls.TS_HEADER : "").append("const assert = require('node:assert');\n\n\nfunction test() {\n  let candidate = ")
                .append(c.function()).append(";\n");
        for (JsTestCalls.Call call : c.calls()) sb.append("  assert.deepEqual(candidate(").append(call.args()).append("),").append(call.expected()).append(");\n");
        return sb.append("}\n\ntest();").toString();
    }

    @Test
    void allButOneRowParseAndRebuildExactly() {
        List<String> unparsed = new ArrayList<>();
        for (MultiplProblem p : rows) {
            Optional<JsTestCalls> c = JsTestCalls.parse(MultiplLanguage.JS, p.tests());
            if (c.isEmpty()) { unparsed.add(p.name()); continue; }
            assertEquals(p.tests().strip(), assertProgram(MultiplLanguage.JS, c.get()), p.name());
        }
        // HumanEval_51_remove_vowels has a raw newline inside a string literal (a syntax error in
        // MultiPL-E's own program too): it keeps the assert program.
        assertEquals(List.of("HumanEval_51_remove_vowels"), unparsed);
        assertTrue(JsTestCalls.parse(MultiplLanguage.JS, "console.log('pass')").isEmpty());
        assertTrue(JsTestCalls.parse(MultiplLanguage.JS, rows.get(0).tests().replace("candidate(\"\"),0", "candidate(\"\"),candidate(1)")).isEmpty(),
                "an expected value that calls the candidate is refused");
        assertTrue(JsTestCalls.parse(MultiplLanguage.JS, rows.get(0).tests().replace("candidate(\"\"),0", "candidate(\"\"),0, \"message\"")).isEmpty(),
                "a message argument (top-level comma) is refused");
    }

    /**
     * Independent oracle: Node itself runs {@code assert.deepEqual} on each pair (outside our
     * encoder), and the same run prints both sides encoded; Java's equality must agree on every pair.
     */
    @Test
    void javaEqualityAgreesWithNodesDeepEqual() {
        String[] exprs = {"1", "1.0", "\"1\"", "\" 1 \"", "\"\"", "0", "-0", "true", "false", "null", "undefined", "NaN", "\"NaN\"",
                "Infinity", "\"Infinity\"", "\"0x10\"", "16", "1e21", "\"1e21\"", "[1, 2]", "[\"1\", 2]", "[1, 2, 3]", "[]", "{}",
                "{\"a\": 1}", "{\"a\": \"1\"}", "{\"a\": 1, \"b\": 2}", "{\"b\": 2, \"a\": 1}", "[[1], [2]]", "[[1], [\"2\"]]", "10n",
                "\"10\"", "10", "[null]", "[undefined]", "{\"a\": undefined}", "\"abc\"", "\"ABC\"", "0.1 + 0.2", "0.3", "[true]", "[1]"};
        StringBuilder js = new StringBuilder("const assert = require('node:assert');\n");
        js.append(JsIoJudge.driver(MultiplLanguage.JS, "", List.of())).append('\n'); // defines nothing global; load encoder below
        js.append("const E = [").append(String.join(", ", java.util.Arrays.stream(exprs).map(e -> "() => (" + e + ")").toList())).append("];\n");
        String encoder = JsIoJudge.driver(MultiplLanguage.JS, "", List.of()).replace(";(function () {\n", "").replaceAll("(?s)\nconst fs = .*", "");
        js.append(encoder).append('\n').append("""
                for (let i = 0; i < E.length; i++) for (let j = 0; j < E.length; j++) {
                  let eq = true; try { assert.deepEqual(E[i](), E[j]()); } catch (e) { eq = false; }
                  console.log(JSON.stringify([eq, __codellmEncode(E[i]()), __codellmEncode(E[j]())]));
                }
                """);
        Execution e = executor.execute(MultiplLanguage.JS, js.toString());
        assertEquals(Status.OK, e.status(), e::stderr);
        List<JsonNode> lines = JsIoJudge.decode(e.stdout());
        assertEquals(exprs.length * exprs.length, lines.size());
        int equal = 0;
        for (int k = 0; k < lines.size(); k++) {
            JsonNode l = lines.get(k);
            boolean node = l.get(0).asBoolean();
            if (node) equal++;
            String pair = exprs[k / exprs.length] + " vs " + exprs[k % exprs.length];
            assertEquals(node, JsValues.deepEqual(l.get(1), l.get(2)), pair);
        }
        assertTrue(equal > 2 * exprs.length, "the set exercises loose equality: " + equal + " equal pairs");
    }

    /**
     * Arrays that deepEqual tells apart from an array literal by their own keys (a hole, an extra
     * property) while every element reads the same: Node says unequal, and the encoder makes them
     * equal nothing.
     */
    @Test
    void arraysWithHolesOrExtraPropertiesEqualNoLiteral() {
        String encoder = JsIoJudge.driver(MultiplLanguage.JS, "", List.of()).replace(";(function () {\n", "").replaceAll("(?s)\nconst fs = .*", "");
        String js = "const assert = require('node:assert');\n" + encoder + "\n" + """
                const pairs = [[[, 1], [undefined, 1]], [Object.assign([1, 2], {x: 1}), [1, 2]]];
                for (const [odd, literal] of pairs) {
                  let eq = true; try { assert.deepEqual(odd, literal); } catch (e) { eq = false; }
                  console.log(JSON.stringify([eq, __codellmEncode(odd), __codellmEncode(literal)]));
                }
                """;
        Execution e = executor.execute(MultiplLanguage.JS, js);
        assertEquals(Status.OK, e.status(), e::stderr);
        List<JsonNode> lines = JsIoJudge.decode(e.stdout());
        assertEquals(2, lines.size());
        for (JsonNode l : lines) {
            assertFalse(l.get(0).asBoolean(), "Node tells them apart: " + l);
            assertFalse(JsValues.deepEqual(l.get(1), l.get(2)), l.toString());
        }
    }

    /**
     * A completion that answers every test from a table of the tests' own (arguments, expected)
     * pairs: honest with respect to the tests, so it passes the assert program. "wrong" answers
     * each test with the next test's expected value (so every row whose tests do not all expect
     * the same value fails).
     */
    static String table(JsTestCalls c, boolean wrong, MultiplLanguage lang) {
        // TypeScript: the table's values are typed any, so they type-check against any return type.
        String type = lang == MultiplLanguage.TS ? ": [string, () => any][]" : "";
        StringBuilder sb = new StringBuilder("  const key = JSON.stringify([...arguments]);\n  const table" + type + " = [\n");
        List<JsTestCalls.Call> calls = c.calls();
        for (int i = 0; i < calls.size(); i++) {
            String expected = calls.get(wrong ? (i + 1) % calls.size() : i).expected();
            sb.append("    [JSON.stringify([").append(calls.get(i).args()).append("]), () => (").append(expected).append(")],\n");
        }
        return sb.append("  ];\n  for (const [k, v] of table) if (k === key) return v();\n  throw new Error('no entry');\n}\n").toString();
    }

    /**
     * Assert-program and I/O verdicts agree for honest (table), wrong (shifted table), throwing
     * (stub) and unparseable (empty) completions, on every 8th row; the table passes every row
     * but one that no completion can pass (the full 160 rows are run by
     * the comparison in docs/multipl-e.md).
     */
    @Test
    void verdictsMatchTheAssertProgram() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        List<String> tableFails = new ArrayList<>();
        for (int i = 0; i < rows.size(); i += Integer.getInteger("codellm.jsio.stride", 8)) {
            MultiplProblem p = rows.get(i);
            Optional<JsTestCalls> c = JsTestCalls.parse(MultiplLanguage.JS, p.tests());
            if (c.isEmpty()) continue;
            boolean allSame = c.get().calls().stream().map(JsTestCalls.Call::expected).collect(Collectors.toSet()).size() == 1;
            Map<String, String> completions = Map.of("table", table(c.get(), false, MultiplLanguage.JS), "shifted", table(c.get(), true, MultiplLanguage.JS),
                    "stub", "  throw new Error(\"stub\");\n}\n", "empty", "");
            for (var comp : completions.entrySet()) {
                String program = p.program(comp.getValue());
                Execution asserts = executor.execute(MultiplLanguage.JS, program);
                Execution io = executor.judge(p, program);
                assertEquals(asserts.status(), io.status(), () -> p.name() + " " + comp.getKey() + "\nassert: " + asserts.stderr() + "\nio: " + io.stderr());
                counts.merge(comp.getKey() + "=" + io.status(), 1, Integer::sum);
                if (comp.getKey().equals("shifted") && io.status() == Status.Exception) {
                    assertTrue(io.stderr().contains("codellm I/O verdict:"), () -> p.name() + ": decided by the I/O judge, not the assert program: " + io.stderr());
                }
                if (comp.getKey().equals("table") && io.status() != Status.OK) tableFails.add(p.name());
                if (comp.getKey().equals("shifted") && !allSame) assertEquals(Status.Exception, io.status(), p.name());
            }
        }
        System.out.println("JS assert vs I/O verdicts (identical): " + counts);
        // HumanEval_92_any_int expects candidate(3, 4, 7) true and candidate(3.0, 4, 7) false, the
        // same call in JavaScript (3.0 === 3): no completion passes it, in either judge.
        assertTrue(List.of("HumanEval_92_any_int").containsAll(tableFails), "the table answer fails only unpassable rows: " + tableFails);
    }

    /**
     * Tricks that make a wrong answer (x - y for add) pass MultiPL-E's assert program: each passes
     * there and fails as I/O.
     */
    @Test
    void forgingTricksPassTheAssertProgramAndFailAsIo() {
        MultiplProblem add = rows.stream().filter(p -> p.name().startsWith("HumanEval_53_")).findFirst().orElseThrow();
        Map<String, String> tricks = Map.of(
                "exit early with success", "  return x - y;\n}\nprocess.exit(0);\n",
                "patch assert.deepEqual", "  return x - y;\n}\nrequire('node:assert').deepEqual = () => {};\n",
                "exit 0 from the first failed assert", "  return x - y;\n}\nprocess.on('uncaughtException', () => process.exit(0));\n",
                "forge the result file and exit", "  return x - y;\n}\nrequire('fs').writeFileSync('" + JsIoJudge.RESULTS
                        + "', '[\"n\",\"1\"]\\n'.repeat(6)); process.exit(0);\n",
                "patch JSON.stringify", "  return x - y;\n}\nJSON.stringify = () => '[\"n\",\"1\"]';\n",
                "patch process.exit and fs.writeSync", "  return x - y;\n}\nprocess.exit = () => {}; require('fs').writeSync = () => 0;\n");
        for (var t : tricks.entrySet()) {
            String program = add.program(t.getValue());
            Execution asserts = executor.execute(MultiplLanguage.JS, program);
            Execution io = executor.judge(add, program);
            if (!t.getKey().startsWith("patch JSON") && !t.getKey().startsWith("patch process")) {
                assertEquals(Status.OK, asserts.status(), () -> t.getKey() + " fools the assert program: " + asserts.stderr());
            }
            assertNotEquals(Status.OK, io.status(), () -> t.getKey() + " must fail as I/O: " + io.stderr());
            System.out.println("trick '" + t.getKey() + "': assert program " + asserts.status() + ", I/O " + io.status());
        }
        Execution right = executor.judge(add, add.program("  return x + y;\n}\n"));
        assertEquals(Status.OK, right.status(), right::stderr);
    }
}
