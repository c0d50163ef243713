package dev.codellm.eval.multipl;

import static org.junit.jupiter.api.Assertions.*;

import dev.codellm.eval.sandbox.BwrapSandbox;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * For every language: hand-written completions of HumanEval/53 ({@code add(x, y)}) from the real
 * MultiPL-E rows — a correct one passes, a wrong one fails as Exception, a broken one is a
 * SyntaxError. Completions include the closing brace so MultiPL-E's stop-token truncation is
 * exercised too.
 */
class MultiplExecutorTest {
    /** Generous limits: this suite must not flake on a loaded 2-core machine. */
    private static MultiplExecutor executor;
    /** Short limits, for the tests that expect a timeout. */
    private static MultiplExecutor impatient;

    /** correct, wrong, syntax error. */
    static final Map<MultiplLanguage, List<String>> ADD = Map.of(
            MultiplLanguage.CPP, List.of("    return x + y;\n}\n", "    return x - y;\n}\n", "    return x + ;\n}\n"),
            MultiplLanguage.JAVA, List.of("        return x + y;\n    }\n", "        return x - y;\n    }\n", "        return x + ;\n    }\n"),
            MultiplLanguage.JS, List.of("  return x + y;\n}\n", "  return x - y;\n}\n", "  return x + ;\n}\n"),
            MultiplLanguage.TS, List.of("  return x + y;\n}\n", "  return x - y;\n}\n", "  return x + ;\n}\n"),
            MultiplLanguage.PHP, List.of("  return $x + $y;\n}\n", "  return $x - $y;\n}\n", "  return $x + ;\n}\n"),
            MultiplLanguage.CS, List.of("        return x + y;\n    }\n", "        return x - y;\n    }\n", "        return x + ;\n    }\n"),
            MultiplLanguage.SH, List.of("    echo $(( $1 + $2 ))\n}\n", "    echo $(( $1 - $2 ))\n}\n", "    if then fi\n}\n"),
            MultiplLanguage.RS, List.of("    x + y\n}\n", "    x - y\n}\n", "    x + \n}\n"),
            MultiplLanguage.GO, List.of("    return x + y\n}\n", "    return x - y\n}\n", "    return x +\n}\n"));

    @BeforeAll
    static void sandbox() {
        BwrapSandbox sandbox = BwrapSandbox.create();
        executor = new MultiplExecutor(sandbox, 4.0);
        impatient = new MultiplExecutor(sandbox, 0.34);
    }

    static MultiplProblem add(MultiplLanguage lang) {
        return MultiplDataset.load(lang).stream().filter(p -> p.name().startsWith("HumanEval_53_")).findFirst().orElseThrow();
    }

    /** Go programs start from a build cache a trusted program warmed once (the tests above run with it). */
    @Test
    void goBuildCacheIsWarmedOnceAndHoldsTheVetAndBuildResults() {
        byte[] tar = executor.goBuildCache();
        assertTrue(tar.length > 100_000, "warm Go build cache: " + tar.length + " bytes of tar");
        assertSame(tar, executor.goBuildCache(), "warmed once per executor");
    }

    @ParameterizedTest
    @EnumSource(MultiplLanguage.class)
    void correctPassesWrongFailsBrokenIsSyntaxError(MultiplLanguage lang) {
        assertEquals(List.of(), lang.missingPackages(), "toolchain for " + lang + " must be installed by scripts/setup.sh");
        MultiplProblem p = add(lang);
        List<String> c = ADD.get(lang);
        // judge: as an evaluation runs it (JS/TS as I/O, the others with the end-of-tests marker).
        Execution ok = executor.judge(p, p.program(c.get(0)));
        assertEquals(Status.OK, ok.status(), () -> lang + " correct:\n" + p.program(c.get(0)) + "\nstdout: " + ok.stdout() + "\nstderr: " + ok.stderr());
        Execution wrong = executor.judge(p, p.program(c.get(1)));
        assertEquals(Status.Exception, wrong.status(), () -> lang + " wrong: " + wrong.stdout() + wrong.stderr());
        Execution broken = executor.judge(p, p.program(c.get(2)));
        assertEquals(Status.SyntaxError, broken.status(), () -> lang + " broken: " + broken.stdout() + broken.stderr());
    }

    @Test
    void javaInfiniteLoopTimesOut() {
        Execution e = impatient.execute(MultiplLanguage.JAVA, add(MultiplLanguage.JAVA).program("        while (true) {}\n    }\n"));
        assertEquals(Status.Timeout, e.status(), e::stderr);
    }

    @Test
    void cppForkBombIsContained() throws InterruptedException {
        String bomb = "    while (true) { fork(); }\n    return 0;\n}\n";
        MultiplProblem p = add(MultiplLanguage.CPP);
        String program = "#include <unistd.h>\n" + p.program(bomb);
        Execution e = impatient.execute(MultiplLanguage.CPP, program);
        assertNotEquals(Status.OK, e.status());
        // The PID namespace dies with the run: no forked copy of the program survives on the host.
        // The kernel reaps the namespace asynchronously, so allow it a moment.
        long deadline = System.nanoTime() + 15_000_000_000L;
        long survivors;
        while ((survivors = bombCopies()) > 0 && System.nanoTime() < deadline) Thread.sleep(200);
        assertEquals(0, survivors, "fork-bomb processes still alive after the run");
    }

    /** Processes running a compiled sandbox program ({@code /tmp/w/main} inside the sandbox). */
    private static long bombCopies() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/w/main")).orElse(false)).count();
    }

    @Test
    void bashCurlHasNoNetwork() throws Exception {
        var server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        var hits = new java.util.concurrent.atomic.AtomicInteger();
        server.createContext("/", x -> { hits.incrementAndGet(); x.sendResponseHeaders(200, -1); x.close(); });
        server.start();
        try {
            int port = server.getAddress().getPort();
            String curl = "    curl -sf http://127.0.0.1:" + port + "/ || exit 3\n    echo $(( $1 + $2 ))\n}\n";
            Execution e = executor.execute(MultiplLanguage.SH, add(MultiplLanguage.SH).program(curl));
            assertEquals(Status.Exception, e.status(), e::stderr);
            assertEquals(0, hits.get(), "the sandboxed program reached the host's loopback");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void truncationStopsAtTheFirstStopToken() {
        MultiplProblem p = new MultiplProblem("HumanEval_1_x", "js", "f(){\n", "test();\n", List.of("\nfunction ", "\n//"));
        assertEquals("  return 1;\n}", p.truncate("  return 1;\n}\n// trailing\nfunction g() {}"));
        assertEquals("HumanEval/1", p.humanEvalTaskId());
    }

    @Test
    void everyLanguageFileLoadsWithItsKnownRowCount() {
        Map<MultiplLanguage, Integer> rows = Map.of(MultiplLanguage.JAVA, 158, MultiplLanguage.CPP, 161, MultiplLanguage.JS, 161,
                MultiplLanguage.TS, 159, MultiplLanguage.PHP, 161, MultiplLanguage.CS, 158, MultiplLanguage.SH, 158,
                MultiplLanguage.RS, 156, MultiplLanguage.GO, 154);
        for (MultiplLanguage l : MultiplLanguage.values()) {
            List<MultiplProblem> ps = MultiplDataset.load(l);
            assertEquals(rows.get(l), ps.size(), l.code());
            assertEquals(l, MultiplLanguage.fromCode(ps.get(0).language()));
        }
    }
}
