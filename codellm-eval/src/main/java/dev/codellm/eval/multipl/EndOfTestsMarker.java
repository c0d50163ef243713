package dev.codellm.eval.multipl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hardens MultiPL-E's assert programs (issue 21 §2): a run passes only if, besides MultiPL-E's own
 * verdict, it printed exactly one end-of-tests line carrying the run's nonce.
 *
 * <p>MultiPL-E scores a program by its exit status, so a wrong completion that exits with success
 * before the first failing check ({@code exit(0)}, {@code System.exit(0)}, {@code exit 0}, ...)
 * passes there. Here the test entry (C++/Rust {@code main}, Java/C# {@code Main}, PHP/Bash
 * {@code test}/{@code run_test}) first reads a per-run random nonce from standard input and closes
 * standard input (so it cannot be read again from the fd or {@code /proc/self/fd/0}), keeps it in a
 * local variable, and prints {@code CODELLM <nonce> END_OF_TESTS} as its last statement, after the
 * last check ran. The nonce is in no file and no environment variable of the run.
 *
 * <p>Not airtight, as every in-process harness: code of the sample that runs before the entry
 * (static initializers, global constructors, top-level statements) can read the nonce first, and a
 * completion can disarm the checks themselves (a C++ {@code #define assert}, a Rust
 * {@code macro_rules! assert_eq}); docs/multipl-e.md lists what still works.
 *
 * <p>All per-language code is in {@link #SNIPPETS}; the anchors match every row of the v2.x data
 * ({@code EndOfTestsMarkerTest} checks that each row instruments).
 */
final class EndOfTestsMarker {
    static final String PREFIX = "CODELLM ", SUFFIX = " END_OF_TESTS";

    /**
     * Where and what to insert in one language's tests.
     *
     * @param entry        the line that opens the test entry (a regex; exactly one match in the tests)
     * @param closing      the tests' end (after trailing whitespace is stripped) whose first
     *                     character closes the entry's body
     * @param declarations inserted just before {@code entry} (members the snippets need)
     * @param read         inserted right after {@code entry}: reads the nonce, closes stdin
     * @param print        inserted before {@code closing}: prints the end-of-tests line
     * @param helper       a second source file compiled with the program (its name, then its text
     *                     with {@code %1$s} = package, {@code %2$s} = the entry's name), or null
     * @param nonceFile    where the run script puts stdin for a program that cannot read it, or null
     * @param channel      the file the end-of-tests line goes to, or null for stdout
     */
    record Snippets(Pattern entry, String closing, String declarations, String read, String print,
                    List<String> helper, String nonceFile, String channel) {
        Snippets(String entry, String closing, String declarations, String read, String print) {
            this(Pattern.compile(Pattern.quote(entry)), closing, declarations, read, print, null, null, null);
        }
    }

    /**
     * Go: {@code go test} gives the test binary no stdin and shows a passing test's output to no one,
     * so the run script moves stdin to {@link #GO_NONCE} and the line goes to {@link #GO_END}.
     * MultiPL-E's {@code main_test.go} cannot import {@code os} (its imports are the prompt's
     * {@code testing} and {@code fmt}; Go imports are per file and come before any declaration),
     * so its code can reach that file only through this helper, which hands the nonce only to
     * the test function itself (checked on the call stack), once: any other caller, or a second
     * call, gets a writer whose line fails the run.
     */
    static final String GO_NONCE = ".codellm-nonce", GO_END = ".codellm-end";
    static final String GO_HELPER = """
            package %1$s

            import (
            \t"os"
            \t"runtime"
            \t"strings"
            )

            // codellmBeginTests gives the end-of-tests writer to the test function %2$s of main_test.go.
            func codellmBeginTests() func() {
            \tnonce := "tampered"
            \tpcs := make([]uintptr, 1)
            \tcaller := false
            \tif runtime.Callers(2, pcs) == 1 {
            \t\tf, _ := runtime.CallersFrames(pcs).Next()
            \t\tname := f.Function[strings.LastIndex(f.Function, "/")+1:]
            \t\tcaller = strings.Count(name, ".") == 1 && strings.HasSuffix(name, ".%2$s") && strings.HasSuffix(f.File, "/main_test.go")
            \t}
            \tb, err := os.ReadFile("%3$s")
            \tos.Remove("%3$s")
            \tif caller && err == nil && len(strings.TrimSpace(string(b))) > 0 {
            \t\tnonce = strings.TrimSpace(string(b))
            \t}
            \treturn func() {
            \t\tf, err := os.OpenFile("%4$s", os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0600)
            \t\tif err == nil {
            \t\t\tf.WriteString("%5$s" + nonce + "%6$s\\n")
            \t\t\tf.Close()
            \t\t}
            \t}
            }
            """;

    static final Map<MultiplLanguage, Snippets> SNIPPETS = Map.of(
            MultiplLanguage.CPP, new Snippets("int main() {", "\n}", "",
                    "\n    char codellm_nonce[80] = {0};"
                            + " if (!std::fgets(codellm_nonce, sizeof codellm_nonce, stdin)) codellm_nonce[0] = 0;"
                            + " std::fclose(stdin); codellm_nonce[std::strcspn(codellm_nonce, \"\\n\")] = 0;",
                    "\n    std::printf(\"" + PREFIX + "%s" + SUFFIX + "\\n\", codellm_nonce); std::fflush(stdout);"),
            MultiplLanguage.JAVA, new Snippets("public static void main(String[] args) {", "\n    }\n\n}", "",
                    "\n        String codellmNonce = \"\";"
                            + " try { String l = new java.io.BufferedReader(new java.io.InputStreamReader(java.lang.System.in)).readLine();"
                            + " if (l != null) codellmNonce = l; java.lang.System.in.close(); } catch (java.io.IOException e) { }",
                    "\n        java.lang.System.out.println(\"" + PREFIX + "\" + codellmNonce + \"" + SUFFIX + "\");"),
            MultiplLanguage.CS, new Snippets("public static void Main(string[] args) {", "\n    }\n\n}",
                    "[System.Runtime.InteropServices.DllImport(\"libc\", EntryPoint = \"close\")] static extern int CodellmCloseFd(int fd);\n    ",
                    "\n        string codellmNonce = System.Console.In.ReadLine() ?? \"\"; CodellmCloseFd(0);",
                    "\n        System.Console.Out.WriteLine(\"" + PREFIX + "\" + codellmNonce + \"" + SUFFIX + "\"); System.Console.Out.Flush();"),
            MultiplLanguage.PHP, new Snippets("function test(): void {", "\n}\n\ntest();", "",
                    "\n    $codellm_nonce = rtrim((string) fgets(STDIN), \"\\n\"); fclose(STDIN);",
                    "\n    echo \"" + PREFIX + "\" . $codellm_nonce . \"" + SUFFIX + "\\n\";"),
            MultiplLanguage.SH, new Snippets("run_test() {", "\n}\n\nrun_test", "",
                    "\n    local codellm_nonce=''; read -r codellm_nonce || true; exec 0<&-",
                    "\n    printf '" + PREFIX + "%s" + SUFFIX + "\\n' \"$codellm_nonce\""),
            MultiplLanguage.RS, new Snippets("fn main() {", "\n}", "",
                    "\n    let codellm_nonce = { let mut s = String::new(); let _ = std::io::stdin().read_line(&mut s);"
                            + " extern \"C\" { fn close(fd: i32) -> i32; } unsafe { close(0); } s.trim_end_matches('\\n').to_string() };",
                    "\n    println!(\"" + PREFIX + "{}" + SUFFIX + "\", codellm_nonce);"),
            MultiplLanguage.GO, new Snippets(Pattern.compile("func (Test\\w+)\\(t \\*testing\\.T\\) \\{"), "\n}", "",
                    "\n\tcodellmEnd := codellmBeginTests()", "\n\tcodellmEnd()",
                    List.of("codellm_end_test.go", GO_HELPER), GO_NONCE, GO_END));

    private EndOfTestsMarker() {}

    /** Whether the language's assert programs are run with the marker. */
    static boolean covers(MultiplLanguage lang) {
        return SNIPPETS.containsKey(lang);
    }

    /** The line a run with this nonce must print once, after its last test. */
    static String line(String nonce) {
        return PREFIX + nonce + SUFFIX;
    }

    /**
     * A program ready to run with the marker.
     *
     * @param program the program with its tests instrumented
     * @param helper  the helper file's name and text, or null
     */
    record Instrumented(String program, List<String> helper) {}

    /**
     * The program with its tests instrumented.
     *
     * @param program prompt + completion + tests, as MultiPL-E assembles it (it must end with {@code tests})
     * @param tests   the row's tests, the trusted part in which the snippets are placed
     */
    static Instrumented instrument(MultiplLanguage lang, String program, String tests) {
        Snippets s = SNIPPETS.get(lang);
        if (s == null) throw new IllegalArgumentException("no end-of-tests marker for " + lang.displayName());
        if (!program.endsWith(tests)) throw new IllegalArgumentException("the " + lang.displayName() + " program does not end with its tests");
        Matcher entry = s.entry().matcher(tests);
        String instrumented = program.substring(0, program.length() - tests.length()) + instrumentTests(s, lang, tests);
        if (s.helper() == null) return new Instrumented(instrumented, null);
        // The package clause is the prompt's first line (Go: every row's is "package <name>_test").
        Matcher pkg = Pattern.compile("\\Apackage (\\w+)\n").matcher(program);
        if (!pkg.find() || !entry.find()) throw new IllegalArgumentException("the " + lang.displayName() + " program does not start with its package clause");
        String helper = s.helper().get(1).formatted(pkg.group(1), entry.group(1), s.nonceFile(), s.channel(), PREFIX, SUFFIX);
        return new Instrumented(instrumented, List.of(s.helper().get(0), helper));
    }

    static String instrumentTests(Snippets s, MultiplLanguage lang, String tests) {
        Matcher m = s.entry().matcher(tests);
        if (!m.find()) throw new IllegalArgumentException("these " + lang.displayName() + " tests have no " + s.entry());
        int entry = m.start(), open = m.end();
        if (m.find()) throw new IllegalArgumentException("these " + lang.displayName() + " tests have more than one " + s.entry());
        String body = tests.stripTrailing();
        int close = body.length() - s.closing().length();
        if (!body.endsWith(s.closing()) || close < open) {
            throw new IllegalArgumentException("these " + lang.displayName() + " tests do not end with " + s.closing().strip());
        }
        return tests.substring(0, entry) + s.declarations() + tests.substring(entry, open) + s.read()
                + tests.substring(open, close) + s.print() + tests.substring(close);
    }

    /** As {@link #verdict(Execution, String, String)} for a language whose line goes to stdout. */
    static Execution verdict(Execution e, String nonce) {
        return verdict(e, nonce, null);
    }

    /**
     * The verdict with the marker required: an {@link Status#OK} run stays OK only with exactly
     * one end-of-tests line carrying {@code nonce}; otherwise it is an {@link Status#Exception}
     * (the program ended before its tests did, or forged its output), with the reason appended to
     * stderr. The marker line is removed from stdout.
     *
     * @param channel the text of the marker's file for a language whose line goes to a file
     *                ("" when the file is absent), or null when the line goes to stdout
     */
    static Execution verdict(Execution e, String nonce, String channel) {
        String marker = line(nonce);
        List<String> kept = new ArrayList<>();
        int markers = 0, forged = 0;
        for (String l : e.stdout().split("\n", -1)) {
            if (channel == null && l.equals(marker)) markers++;
            else {
                if (l.contains(nonce) || (l.startsWith(PREFIX) && l.endsWith(SUFFIX))) forged++;
                kept.add(l);
            }
        }
        if (channel != null) {
            for (String l : channel.split("\n")) {
                if (l.equals(marker)) markers++;
                else if (!l.isEmpty()) forged++;
            }
        }
        String stdout = String.join("\n", kept);
        if (e.status() != Status.OK) return new Execution(e.status(), e.exitCode(), stdout, e.stderr(), e.wallMillis());
        String why = forged > 0 ? "an end-of-tests line with a wrong nonce or extra text: the output was forged"
                : markers == 0 ? "no end-of-tests line: the program exited before its last test ran"
                : markers > 1 ? markers + " end-of-tests lines: the output was forged"
                : null;
        if (why == null) return new Execution(Status.OK, e.exitCode(), stdout, e.stderr(), e.wallMillis());
        String stderr = e.stderr().isEmpty() || e.stderr().endsWith("\n") ? e.stderr() : e.stderr() + "\n";
        return new Execution(Status.Exception, e.exitCode(), stdout, stderr + "codellm: " + why, e.wallMillis());
    }
}
