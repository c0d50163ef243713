package dev.codellm.eval.multipl;

import static org.junit.jupiter.api.Assertions.*;

import dev.codellm.eval.sandbox.BwrapSandbox;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MultiPL-E TypeScript as I/O ({@link JsIoJudge} with tsc as the compile step): every row parses
 * back exactly, honest, wrong, throwing and ill-typed completions keep their assert-program
 * verdicts, and the tricks that fool the assert program fail. Values are JavaScript's at run
 * time, so the equality itself is {@link JsIoJudgeTest}'s (checked against Node there). tsc costs
 * about 5 s of CPU per program, so CI checks a few rows ({@code -Dcodellm.tsio.stride=N} for more).
 */
class TsIoJudgeTest {
    private static MultiplExecutor executor;
    private static List<MultiplProblem> rows;

    @BeforeAll
    static void setUp() {
        executor = new MultiplExecutor(BwrapSandbox.create(), 4.0);
        rows = MultiplDataset.load(MultiplLanguage.TS);
    }

    @Test
    void everyRowParsesAndRebuildsExactly() {
        List<String> unparsed = new ArrayList<>();
        for (MultiplProblem p : rows) {
            Optional<JsTestCalls> c = JsTestCalls.parse(MultiplLanguage.TS, p.tests());
            if (c.isEmpty()) { unparsed.add(p.name()); continue; }
            assertEquals(p.tests().strip(), JsIoJudgeTest.assertProgram(MultiplLanguage.TS, c.get()), p.name());
        }
        assertEquals(List.of(), unparsed);
        assertTrue(JsTestCalls.parse(MultiplLanguage.JS, rows.get(0).tests()).isEmpty(), "a TS row is not a JS row");
        assertTrue(JsTestCalls.parse(MultiplLanguage.TS, rows.get(0).tests().replace(JsTestCalls.TS_HEADER, "")).isEmpty(),
                "a TS row needs its header");
    }

    /**
     * Assert-program and I/O verdicts agree on every 53rd row (three rows) for the table answer
     * (OK), the shifted table (Exception unless every test expects the same value), a stub that
     * throws (Exception), an empty completion (SyntaxError) and a body of the wrong type, which
     * only tsc rejects (SyntaxError: the type check is kept).
     */
    @Test
    void verdictsMatchTheAssertProgram() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (int i = 0; i < rows.size(); i += Integer.getInteger("codellm.tsio.stride", 53)) {
            MultiplProblem p = rows.get(i);
            JsTestCalls c = JsTestCalls.parse(MultiplLanguage.TS, p.tests()).orElseThrow();
            boolean allSame = c.calls().stream().map(JsTestCalls.Call::expected).collect(Collectors.toSet()).size() == 1;
            Map<String, String> completions = Map.of("table", JsIoJudgeTest.table(c, false, MultiplLanguage.TS),
                    "shifted", JsIoJudgeTest.table(c, true, MultiplLanguage.TS), "stub", "  throw new Error(\"stub\");\n}\n",
                    "empty", "", "ill-typed", "  let s: string = 1;\n  throw new Error(s);\n}\n");
            for (var comp : completions.entrySet()) {
                String program = p.program(comp.getValue());
                Execution asserts = executor.execute(MultiplLanguage.TS, program);
                Execution io = executor.judge(p, program);
                assertEquals(asserts.status(), io.status(), () -> p.name() + " " + comp.getKey() + "\nassert: " + asserts.stderr() + "\nio: " + io.stderr());
                counts.merge(comp.getKey() + "=" + io.status(), 1, Integer::sum);
                if (comp.getKey().equals("shifted") && io.status() == Status.Exception) {
                    assertTrue(io.stderr().contains("codellm I/O verdict:"), () -> p.name() + ": decided by the I/O judge, not the assert program: " + io.stderr());
                }
                Status want = switch (comp.getKey()) {
                    case "table" -> Status.OK;
                    case "shifted" -> allSame ? Status.OK : Status.Exception;
                    case "stub" -> Status.Exception;
                    default -> Status.SyntaxError;
                };
                assertEquals(want, io.status(), () -> p.name() + " " + comp.getKey() + ": " + io.stderr());
            }
        }
        System.out.println("TS assert vs I/O verdicts (identical): " + counts);
    }

    /** Tricks with a wrong add (x - y) that pass the assert program: each fails as I/O. */
    @Test
    void forgingTricksPassTheAssertProgramAndFailAsIo() {
        MultiplProblem add = rows.stream().filter(p -> p.name().startsWith("HumanEval_53_")).findFirst().orElseThrow();
        // No @types/node: process is reached through the tests' own `declare var require: any`.
        Map<String, String> tricks = Map.of(
                "exit early with success", "  return x - y;\n}\nrequire('process').exit(0);\n",
                "patch assert.deepEqual", "  return x - y;\n}\nrequire('node:assert').deepEqual = () => {};\n",
                "exit 0 from the first failed assert", "  return x - y;\n}\nrequire('process').on('uncaughtException', () => require('process').exit(0));\n",
                "forge the result file and exit", "  return x - y;\n}\nrequire('fs').writeFileSync('" + JsIoJudge.RESULTS
                        + "', '[\"n\",\"1\"]\\n'.repeat(6)); require('process').exit(0);\n");
        for (var t : tricks.entrySet()) {
            String program = add.program(t.getValue());
            Execution asserts = executor.execute(MultiplLanguage.TS, program);
            Execution io = executor.judge(add, program);
            assertEquals(Status.OK, asserts.status(), () -> t.getKey() + " fools the assert program: " + asserts.stderr());
            assertEquals(Status.Exception, io.status(), () -> t.getKey() + " must fail as I/O: " + io.stderr());
            System.out.println("TS trick '" + t.getKey() + "': assert program " + asserts.status() + ", I/O " + io.status());
        }
        Execution right = executor.judge(add, add.program("  return x + y;\n}\n"));
        assertEquals(Status.OK, right.status(), right::stderr);
    }
}
