package dev.codellm.eval.multipl;

import dev.codellm.core.CodellmException;
import dev.codellm.eval.run.SampleExecutor;
import dev.codellm.eval.sandbox.Limits;
import dev.codellm.eval.sandbox.RunRequest;
import dev.codellm.eval.sandbox.RunNonce;
import dev.codellm.eval.sandbox.RunResult;
import dev.codellm.eval.sandbox.Sandbox;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Compiles and runs MultiPL-E programs inside the sandbox, one sandbox run per program.
 *
 * <p>The sandbox gives every run a fresh working directory, so compile and run happen in one
 * run: a generated POSIX shell script runs the compiler under {@code timeout}, records its exit
 * code and log in files, and then {@code exec}s the program under its own {@code timeout}, so the
 * script's exit code is the program's (or 124/137 when the time limit killed it). Untrusted code
 * runs only after the compiler has finished, so it cannot forge the compile verdict.
 */
public final class MultiplExecutor implements SampleExecutor<MultiplProblem, Execution> {
    private static final String COMPILE_RC = ".compile.rc";
    private static final String COMPILE_LOG = ".compile.log";
    /** Exit codes of coreutils {@code timeout}: TERM sent (124) or KILL after the grace period (137). */
    private static final int TIMEOUT_TERM = 124, TIMEOUT_KILL = 137;

    private static final String GO_CACHE_TAR = ".gocache.tar";

    private final Sandbox sandbox;
    private final double timeScale;
    /** See {@link #goBuildCache()}; null until the first Go program. */
    private byte[] goCache;
    /** Run the JavaScript / TypeScript rows whose tests parse as I/O, with the verdict decided here. */
    private final JsIoJudge jsIo = new JsIoJudge(this, MultiplLanguage.JS), tsIo = new JsIoJudge(this, MultiplLanguage.TS);

    public MultiplExecutor(Sandbox sandbox) {
        this(sandbox, 1.0);
    }

    /**
     * @param timeScale multiplies MultiPL-E's compile and run time limits (1.0 = as MultiPL-E);
     *                  raise it on a loaded or slow machine so slowness is not scored as Timeout
     */
    public MultiplExecutor(Sandbox sandbox, double timeScale) {
        if (!(timeScale > 0)) throw new IllegalArgumentException("time scale must be > 0, got " + timeScale);
        this.sandbox = sandbox;
        this.timeScale = timeScale;
    }

    private Duration runTimeout(MultiplLanguage lang) {
        return scaled(lang.runTimeout());
    }

    private Duration compileTimeout(MultiplLanguage lang) {
        return scaled(lang.compileTimeout());
    }

    private Duration scaled(Duration d) {
        return Duration.ofMillis(Math.max(1000, Math.round(d.toMillis() * timeScale)));
    }

    /** Runs one problem's program (prompt + completion + tests) in the problem's language. */
    @Override
    public Execution judge(MultiplProblem problem, String program) {
        MultiplLanguage lang = MultiplLanguage.fromCode(problem.language());
        JsIoJudge ioJudge = lang == MultiplLanguage.JS ? jsIo : lang == MultiplLanguage.TS ? tsIo : null;
        if (ioJudge != null) {
            Optional<Execution> io = ioJudge.judge(problem, program);
            if (io.isPresent()) return io.get();
        }
        return EndOfTestsMarker.covers(lang) ? executeWithMarker(lang, program, problem.tests()) : execute(lang, program);
    }

    @Override
    public String describe() {
        return sandbox.describe();
    }

    /**
     * Runs one program (prompt + completion + tests) of the given language as MultiPL-E does,
     * judged by its exit status and output only (an early successful exit passes: see
     * {@link #executeWithMarker}).
     */
    public Execution execute(MultiplLanguage lang, String program) {
        RunResult r = run(lang, program, List.of());
        Execution compile = compileVerdict(lang, r);
        return compile != null ? compile : runVerdict(lang, r);
    }

    /**
     * Runs one assert program with its tests instrumented by {@link EndOfTestsMarker}: OK also
     * needs the end-of-tests line with this run's nonce, which the run gets on stdin only (Go:
     * the run script moves it to a file the helper reads and removes).
     *
     * @param tests the row's tests, which {@code program} ends with
     */
    public Execution executeWithMarker(MultiplLanguage lang, String program, String tests) {
        String nonce = RunNonce.fresh();
        EndOfTestsMarker.Snippets marker = EndOfTestsMarker.SNIPPETS.get(lang);
        List<String> channel = marker.channel() == null ? List.of() : List.of(marker.channel());
        RunResult r = run(lang, EndOfTestsMarker.instrument(lang, program, tests), marker, channel, nonce + "\n");
        Execution compile = compileVerdict(lang, r);
        if (compile != null) return compile;
        String lines = marker.channel() == null ? null : r.fileText(marker.channel()) == null ? "" : r.fileText(marker.channel());
        return EndOfTestsMarker.verdict(runVerdict(lang, r), nonce, lines);
    }

    /**
     * Compiles and runs one program, collecting the compile step's files and {@code collect}
     * from the work directory.
     */
    RunResult run(MultiplLanguage lang, String program, List<String> collect) {
        return run(lang, new EndOfTestsMarker.Instrumented(program, null), null, collect, "");
    }

    /**
     * As {@link #run(MultiplLanguage, String, List)}, with the marker's helper file and
     * {@code stdin} for the program (never for the compiler).
     */
    private RunResult run(MultiplLanguage lang, EndOfTestsMarker.Instrumented program, EndOfTestsMarker.Snippets marker,
                          List<String> collect, String stdin) {
        List<String> missing = lang.missingPackages();
        if (!missing.isEmpty()) {
            throw new CodellmException(lang.displayName() + " toolchain missing: install Debian package(s) "
                    + String.join(" ", missing) + " (scripts/setup.sh does)");
        }
        byte[] cache = lang == MultiplLanguage.GO ? goBuildCache() : new byte[0];
        List<String> runCommand = program.helper() == null ? lang.runCommand()
                : Stream.concat(lang.runCommand().stream(), Stream.of(program.helper().get(0))).toList();
        String nonceFile = marker == null ? null : marker.nonceFile();
        RunRequest req = RunRequest.of(List.of("/bin/sh", ".run.sh"), limits(lang, compileTimeout(lang), runTimeout(lang)))
                .withFile(lang.sourceFile(), program.program())
                .withFile(".run.sh", script(lang, compileTimeout(lang), runTimeout(lang), cache.length > 0, runCommand, nonceFile))
                .withEnv(lang.environment())
                .withCollect(Stream.concat(Stream.of(COMPILE_RC, COMPILE_LOG), collect.stream()).toList());
        if (program.helper() != null) req = req.withFile(program.helper().get(0), program.helper().get(1));
        if (cache.length > 0) req = req.withFileBytes(GO_CACHE_TAR, cache);
        if (!stdin.isEmpty()) req = req.withStdin(stdin);
        return sandbox.run(req);
    }

    /** The verdict when the time limit or the compile step decided it, else null. */
    Execution compileVerdict(MultiplLanguage lang, RunResult r) {
        if (r.timedOut()) return new Execution(Status.Timeout, -1, r.stdout(), r.stderr(), r.wallMillis());

        if (lang.compileCommand() != null) {
            String rcText = r.fileText(COMPILE_RC);
            int compileRc = rcText == null ? -1 : parseInt(rcText.strip());
            String log = r.fileText(COMPILE_LOG) == null ? "" : r.fileText(COMPILE_LOG);
            if (compileRc == TIMEOUT_TERM || compileRc == TIMEOUT_KILL) return new Execution(Status.Timeout, compileRc, "", log, r.wallMillis());
            if (compileRc != 0) return new Execution(Status.SyntaxError, compileRc, "", log, r.wallMillis());
        }
        return null;
    }

    /** MultiPL-E's verdict from the run step's exit code and output (the assert program's verdict). */
    Execution runVerdict(MultiplLanguage lang, RunResult r) {
        int exit = r.exitCode();
        boolean runTimedOut = exit == TIMEOUT_TERM
                || (exit == TIMEOUT_KILL && r.wallMillis() >= runTimeout(lang).toMillis());
        Status status = runTimedOut ? Status.Timeout : lang.classifyRun(exit, r.stdout(), r.stderr());
        return new Execution(status, exit, r.stdout(), r.stderr(), r.wallMillis());
    }

    /**
     * Go's build cache after a trusted program importing what every MultiPL-E Go program imports
     * ({@code testing}, {@code fmt}), as a tar; empty if warming failed (programs then run cold).
     * Each sandbox starts with a private {@code GOCACHE}, so without it {@code go test}'s vet
     * re-analyses those packages for every program (about 3 s of CPU instead of 0.5 s). Every
     * program unpacks its own copy, so one program cannot poison another's build.
     */
    synchronized byte[] goBuildCache() {
        if (goCache == null) {
            String warm = "package main_test\n\nimport (\n    \"testing\"\n    \"fmt\"\n)\n\n"
                    + "func TestWarm(t *testing.T) {\n    _ = fmt.Sprint(t.Name())\n}\n";
            Duration limit = runTimeout(MultiplLanguage.GO).multipliedBy(2);
            // With the end-of-tests helper, so that what it imports (os, runtime, strings) is warm too.
            List<String> helper = EndOfTestsMarker.instrument(MultiplLanguage.GO, warm, warm.substring(warm.indexOf("func TestWarm"))).helper();
            List<String> command = Stream.concat(MultiplLanguage.GO.runCommand().stream(), Stream.of(helper.get(0))).toList();
            String script = "cd /tmp/w || exit 99\n" + timeout(limit) + quote(command) + " >/dev/null 2>&1 </dev/null || exit 1\n"
                    + "exec /usr/bin/tar -cf " + GO_CACHE_TAR + " .gocache\n";
            RunResult r = sandbox.run(RunRequest.of(List.of("/bin/sh", ".run.sh"), limits(MultiplLanguage.GO, limit, limit))
                    .withFile(MultiplLanguage.GO.sourceFile(), warm).withFile(helper.get(0), helper.get(1)).withFile(".run.sh", script)
                    .withEnv(MultiplLanguage.GO.environment()).withCollect(List.of(GO_CACHE_TAR)));
            byte[] tar = r.files().get(GO_CACHE_TAR);
            goCache = r.exitCode() == 0 && !r.timedOut() && tar != null ? tar : new byte[0];
        }
        return goCache;
    }

    /** The compile-then-run script; arguments are fixed strings of ours, quoted for sh anyway. */
    static String script(MultiplLanguage lang, Duration compileTimeout, Duration runTimeout, boolean unpackGoCache) {
        return script(lang, compileTimeout, runTimeout, unpackGoCache, lang.runCommand(), null);
    }

    /**
     * @param runCommand the command that runs the program
     * @param nonceFile  null, or where stdin goes for a program that gets none ({@code go test}
     *                   gives its test binary /dev/null), stdin then being /dev/null for the run
     */
    static String script(MultiplLanguage lang, Duration compileTimeout, Duration runTimeout, boolean unpackGoCache,
                         List<String> runCommand, String nonceFile) {
        StringBuilder sb = new StringBuilder("cd /tmp/w || exit 99\n");
        if (unpackGoCache) sb.append("/usr/bin/tar -xf ").append(GO_CACHE_TAR).append(" && rm -f ").append(GO_CACHE_TAR).append('\n');
        if (lang.compileCommand() != null) {
            sb.append(timeout(compileTimeout)).append(quote(lang.compileCommand()))
                    .append(" >").append(COMPILE_LOG).append(" 2>&1 </dev/null\n")
                    .append("rc=$?\necho $rc >").append(COMPILE_RC).append("\n")
                    .append("[ $rc -eq 0 ] || exit 0\n");
        }
        if (nonceFile != null) sb.append("/usr/bin/cat >").append(quote(List.of(nonceFile))).append(" || exit 99\n");
        sb.append("exec ").append(timeout(runTimeout)).append(quote(runCommand)).append(nonceFile != null ? " </dev/null\n" : "\n");
        return sb.toString();
    }

    private static String timeout(Duration d) {
        return "/usr/bin/timeout -k 2 " + Math.max(1, d.toSeconds()) + " ";
    }

    private static String quote(List<String> argv) {
        StringBuilder sb = new StringBuilder();
        for (String a : argv) {
            if (!sb.isEmpty()) sb.append(' ');
            sb.append('\'').append(a.replace("'", "'\\''")).append('\'');
        }
        return sb.toString();
    }

    /**
     * Limits for compile + run of one program. Address space is generous for the runtimes that
     * reserve large virtual ranges up front (JVM, V8, Mono, Go) and tight for native code; the
     * process limit leaves room for their threads (RLIMIT_NPROC counts threads) while still
     * stopping fork bombs.
     */
    static Limits limits(MultiplLanguage lang, Duration compileTimeout, Duration runTimeout) {
        Duration wall = compileTimeout.plus(runTimeout).plusSeconds(10);
        long as = switch (lang) {
            case CPP, RS, SH, PHP -> 4 * Limits.GIB;
            default -> 16 * Limits.GIB;
        };
        return new Limits(wall, (int) wall.toSeconds(), as, 256, 256 * Limits.MIB, 1 << 20);
    }

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
