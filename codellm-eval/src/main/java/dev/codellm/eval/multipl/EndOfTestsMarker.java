package dev.codellm.eval.multipl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
     * @param entry        the line that opens the test entry (exactly once in the tests)
     * @param closing      the tests' end (after trailing whitespace is stripped) whose first
     *                     character closes the entry's body
     * @param declarations inserted just before {@code entry} (members the snippets need)
     * @param read         inserted right after {@code entry}: reads the nonce, closes stdin
     * @param print        inserted before {@code closing}: prints the end-of-tests line
     */
    record Snippets(String entry, String closing, String declarations, String read, String print) {}

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
                    "\n    println!(\"" + PREFIX + "{}" + SUFFIX + "\", codellm_nonce);"));

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
     * The program with its tests instrumented.
     *
     * @param program prompt + completion + tests, as MultiPL-E assembles it (it must end with {@code tests})
     * @param tests   the row's tests, the trusted part in which the snippets are placed
     */
    static String instrument(MultiplLanguage lang, String program, String tests) {
        Snippets s = SNIPPETS.get(lang);
        if (s == null) throw new IllegalArgumentException("no end-of-tests marker for " + lang.displayName());
        if (!program.endsWith(tests)) throw new IllegalArgumentException("the " + lang.displayName() + " program does not end with its tests");
        return program.substring(0, program.length() - tests.length()) + instrumentTests(s, lang, tests);
    }

    static String instrumentTests(Snippets s, MultiplLanguage lang, String tests) {
        int entry = tests.indexOf(s.entry());
        if (entry < 0 || entry != tests.lastIndexOf(s.entry())) {
            throw new IllegalArgumentException("these " + lang.displayName() + " tests do not have exactly one '" + s.entry() + "'");
        }
        String body = tests.stripTrailing();
        int close = body.length() - s.closing().length();
        if (!body.endsWith(s.closing()) || close < entry + s.entry().length()) {
            throw new IllegalArgumentException("these " + lang.displayName() + " tests do not end with " + s.closing().strip());
        }
        int open = entry + s.entry().length();
        return tests.substring(0, entry) + s.declarations() + s.entry() + s.read()
                + tests.substring(open, close) + s.print() + tests.substring(close);
    }

    /**
     * The verdict with the marker required: an {@link Status#OK} run stays OK only with exactly
     * one end-of-tests line carrying {@code nonce}; otherwise it is an {@link Status#Exception}
     * (the program ended before its tests did, or forged its output), with the reason appended to
     * stderr. The marker line is removed from stdout either way.
     */
    static Execution verdict(Execution e, String nonce) {
        String marker = line(nonce);
        List<String> kept = new ArrayList<>();
        int markers = 0, forged = 0;
        for (String l : e.stdout().split("\n", -1)) {
            if (l.equals(marker)) markers++;
            else {
                if (l.contains(nonce) || (l.startsWith(PREFIX) && l.endsWith(SUFFIX))) forged++;
                kept.add(l);
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
