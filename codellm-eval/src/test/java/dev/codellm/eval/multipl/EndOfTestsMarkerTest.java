package dev.codellm.eval.multipl;

import static org.junit.jupiter.api.Assertions.*;

import dev.codellm.eval.sandbox.BwrapSandbox;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The end-of-tests marker of MultiPL-E's assert programs ({@link EndOfTestsMarker}): every row's
 * tests instrument; the verdict needs exactly one marker line with the run's nonce; and per
 * language a wrong completion of HumanEval/53 ({@code add}) that exits with success before the
 * first check passes MultiPL-E's assert program but fails with the marker, while the correct one
 * still passes.
 */
class EndOfTestsMarkerTest {
    private static MultiplExecutor executor;

    /** A wrong {@code add} that exits with success before the first check; each survives stop-token truncation. */
    static final Map<MultiplLanguage, String> EARLY_EXIT = Map.of(
            MultiplLanguage.CPP, "    exit(0);\n}\n",
            MultiplLanguage.JAVA, "        System.exit(0); return 0;\n    }\n",
            MultiplLanguage.CS, "        System.Environment.Exit(0); return 0;\n    }\n",
            MultiplLanguage.PHP, "  exit(0);\n}\n",
            // Bash runs the candidate in $(...): the exit has to be a top-level statement.
            MultiplLanguage.SH, "    echo $(( $1 - $2 )); }; exit 0; f() { :\n}\n",
            MultiplLanguage.RS, "    std::process::exit(0)\n}\n",
            // Go: the prompt imports no os; a TestMain that does not run the tests exits 0.
            MultiplLanguage.GO, "    return x - y\n}; func TestMain(m *testing.M) {}\n");

    /** A wrong {@code add} that prints a marker line of its own (no nonce to put in it) and exits 0. */
    static final Map<MultiplLanguage, String> FORGED_MARKER = Map.of(
            MultiplLanguage.CPP, "    std::puts(\"CODELLM 00000000000000000000000000000000 END_OF_TESTS\"); exit(0);\n}\n",
            MultiplLanguage.SH, "    echo $(( $1 - $2 )); }; echo 'CODELLM 00000000000000000000000000000000 END_OF_TESTS'; exit 0; f() { :\n}\n",
            // Go: the helper hands the nonce to the test function only; TestMain gets a failing line.
            MultiplLanguage.GO, "    return x - y\n}; func TestMain(m *testing.M) { codellmBeginTests()() }\n");

    @BeforeAll
    static void sandbox() {
        executor = new MultiplExecutor(BwrapSandbox.create(), 4.0);
    }

    @ParameterizedTest
    @EnumSource(MultiplLanguage.class)
    void everyRowOfACoveredLanguageInstruments(MultiplLanguage lang) {
        Assumptions.assumeTrue(EndOfTestsMarker.covers(lang), lang + " runs as I/O (JsIoJudge)");
        for (MultiplProblem p : MultiplDataset.load(lang)) {
            EndOfTestsMarker.Instrumented run = EndOfTestsMarker.instrument(lang, p.program(""), p.tests());
            String tests = run.program().substring(p.prompt().length() + 1);
            EndOfTestsMarker.Snippets s = EndOfTestsMarker.SNIPPETS.get(lang);
            // The nonce is read right at the entry, the marker printed as the body's last statement.
            java.util.regex.Matcher entry = s.entry().matcher(tests);
            assertTrue(entry.find() && tests.startsWith(s.read(), entry.end()), p.name());
            assertTrue(tests.stripTrailing().endsWith(s.print() + s.closing()), p.name());
            assertEquals(lang == MultiplLanguage.GO, run.helper() != null, p.name());
            assertEquals(p.tests(), tests.replace(s.read(), "").replace(s.print(), "").replace(s.declarations(), ""),
                    p.name() + ": nothing but the snippets is added");
        }
    }

    @Test
    void programsNotEndingWithTheirTestsAreRefused() {
        MultiplProblem p = MultiplExecutorTest.add(MultiplLanguage.CPP);
        assertThrows(IllegalArgumentException.class, () -> EndOfTestsMarker.instrument(MultiplLanguage.CPP, p.program("") + "\n", p.tests()));
        MultiplProblem go = MultiplExecutorTest.add(MultiplLanguage.GO);
        assertThrows(IllegalArgumentException.class, () -> EndOfTestsMarker.instrument(MultiplLanguage.GO, "// x\n" + go.program(""), go.tests()),
                "Go needs the package clause first");
        assertThrows(IllegalArgumentException.class, () -> EndOfTestsMarker.instrumentTests(EndOfTestsMarker.SNIPPETS.get(MultiplLanguage.CPP),
                MultiplLanguage.CPP, p.tests() + "\nint main() {\n}\n"));
    }

    @Test
    void okNeedsExactlyOneMarkerWithTheNonce() {
        String n = "0123456789abcdef0123456789abcdef", m = EndOfTestsMarker.line(n);
        Execution marked = EndOfTestsMarker.verdict(ok("out\n" + m + "\n"), n);
        assertEquals(Status.OK, marked.status());
        assertEquals("out\n", marked.stdout(), "the marker line is removed");
        List<String> bad = List.of("out\n", m + "\n" + m + "\n", EndOfTestsMarker.line("f".repeat(32)) + "\n",
                m + " extra\n", "x" + m + "\n", m + "\n" + n + "\n");
        for (String stdout : bad) {
            Execution e = EndOfTestsMarker.verdict(ok(stdout), n);
            assertEquals(Status.Exception, e.status(), stdout);
            assertTrue(e.stderr().contains("codellm: "), e.stderr());
        }
        // A failed run stays failed, marker or not.
        Execution failed = EndOfTestsMarker.verdict(new Execution(Status.Exception, 1, m + "\n", "boom", 1), n);
        assertEquals(Status.Exception, failed.status());
        assertEquals("boom", failed.stderr());
    }

    private static Execution ok(String stdout) {
        return new Execution(Status.OK, 0, stdout, "", 1);
    }

    /**
     * The wrong completion that exits 0 early passes MultiPL-E's assert program
     * ({@link MultiplExecutor#execute}) and fails with the marker; the correct one passes.
     */
    @ParameterizedTest
    @EnumSource(MultiplLanguage.class)
    void anEarlySuccessfulExitFailsAndTheCorrectControlPasses(MultiplLanguage lang) {
        Assumptions.assumeTrue(EndOfTestsMarker.covers(lang), lang + " runs as I/O (JsIoJudge)");
        Assumptions.assumeTrue(lang.missingPackages().isEmpty(), lang + " toolchain missing: " + lang.missingPackages());
        MultiplProblem p = MultiplExecutorTest.add(lang);
        List<String> tricks = new ArrayList<>(List.of(EARLY_EXIT.get(lang)));
        if (FORGED_MARKER.containsKey(lang)) tricks.add(FORGED_MARKER.get(lang));
        for (String trick : tricks) {
            String program = p.program(trick);
            // (Go's call of the helper has nothing to call in MultiPL-E's program.)
            if (!trick.contains("codellmBeginTests")) {
                Execution before = executor.execute(lang, program);
                assertEquals(Status.OK, before.status(), () -> lang + ": the trick passes MultiPL-E's assert program\n" + program + before.stderr());
            }
            Execution now = executor.judge(p, program);
            assertEquals(Status.Exception, now.status(), () -> lang + ": the trick must fail with the marker\n" + now.stdout() + now.stderr());
            assertTrue(now.stderr().contains("codellm: "), now::stderr);
        }
        String right = MultiplExecutorTest.ADD.get(lang).get(0);
        Execution control = executor.judge(p, p.program(right));
        assertEquals(Status.OK, control.status(), () -> lang + " correct control: " + control.stdout() + control.stderr());
        assertFalse(control.stdout().contains(EndOfTestsMarker.PREFIX), "the marker line is not in the recorded stdout");
    }

    @Test
    void everyAssertLanguageIsCovered() {
        for (MultiplLanguage l : EnumSet.complementOf(EnumSet.of(MultiplLanguage.JS, MultiplLanguage.TS))) {
            assertTrue(EndOfTestsMarker.covers(l), l.displayName());
        }
    }

    /** Go's line goes to a file: the same rules, and nothing on stdout counts. */
    @Test
    void aFileChannelNeedsExactlyOneMarkerToo() {
        String n = "0123456789abcdef0123456789abcdef", m = EndOfTestsMarker.line(n);
        assertEquals(Status.OK, EndOfTestsMarker.verdict(ok("ok\n"), n, m + "\n").status());
        for (String file : List.of("", m + "\n" + m + "\n", EndOfTestsMarker.line("tampered") + "\n", m + "\nx\n")) {
            assertEquals(Status.Exception, EndOfTestsMarker.verdict(ok("ok\n"), n, file).status(), file);
        }
        assertEquals(Status.Exception, EndOfTestsMarker.verdict(ok(m + "\n"), n, "").status(), "a marker on stdout does not count for a file channel");
    }
}
