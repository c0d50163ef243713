package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.cli.FakeDebian.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's two commands on a machine where what they need is missing (issue 17: "remove
 * bubblewrap, {@code ./codellm eval …} must bring it back"), without removing anything for real:
 * a copy of the launcher, {@code run-tests}, {@code .ci/run} and their scripts runs on
 * {@link FakeDebian}'s PATH, whose dpkg database lacks the packages, against a stub JDK 25 whose
 * {@code java} (and a stub {@code mvn}) only record how they were called. So the test sees the
 * order of events a user sees: what is said, what apt-get is asked (through sudo or directly),
 * and whether the command then runs.
 */
class LauncherFirstRunTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** Everything scripts/packages/eval.txt lists but bubblewrap. */
    static final String[] EVAL_BUT_BWRAP = {"util-linux", "python3", "python3-numpy", "procps"};
    static final Map<String, String> USER = Map.of("STUB_UID", "1000");
    static final List<String> HUMANEVAL = List.of("eval", "--dataset", "humaneval", "--out", "runs/default");

    @TempDir Path tmp;
    FakeDebian debian;
    Path checkout, javaLog, mvnLog;

    @BeforeEach
    void checkout() throws IOException {
        debian = new FakeDebian(Files.createDirectories(tmp.resolve("system")));
        checkout = Files.createDirectories(tmp.resolve("codellm"));
        for (String f : List.of("codellm", "run-tests", ".ci/run", "scripts/find-jdk.sh", "scripts/packages.sh", "scripts/memory-opts.sh",
                "scripts/setup.sh")) {
            copy(ROOT.resolve(f), checkout.resolve(f));
        }
        try (var lists = Files.list(ROOT.resolve("scripts/packages"))) {
            for (Path l : lists.toList()) copy(l, checkout.resolve("scripts/packages").resolve(l.getFileName()));
        }
        // a jar newer than every source, so the launcher runs it instead of building
        Path jar = Files.createDirectories(checkout.resolve("codellm-cli/target")).resolve("codellm.jar");
        Files.writeString(jar, "");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plus(1, ChronoUnit.DAYS)));
        // a JDK 25 as find-jdk.sh recognises one; its java and the PATH's mvn record their arguments
        Path jdk = Files.createDirectories(tmp.resolve("jdk/bin")).getParent();
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25.0.1\"\n");
        javaLog = tmp.resolve("java.log");
        mvnLog = tmp.resolve("mvn.log");
        Path java = jdk.resolve("bin/java");
        Files.writeString(java, "#!/bin/bash\necho \"$*\" >> " + javaLog + "\n[ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo 'java has the terminal'\necho 'java ran'\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        debian.script("mvn", "echo \"$*\" >> " + mvnLog + "\necho 'mvn ran'");
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Runs {@code ./codellm ARGS} (or another of the checkout's commands) in the checkout. */
    private Shell run(String command, List<String> args, Map<String, String> env) throws Exception {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("JAVA_HOME", tmp.resolve("jdk").toString());
        all.put("CODELLM_JVM_DIR", tmp.resolve("no-jvms").toString());
        StringBuilder line = new StringBuilder(command);
        for (String a : args) line.append(" '").append(a).append("'");
        return debian.run(checkout, line.toString(), all);
    }

    private String javaLog() throws IOException {
        return Files.exists(javaLog) ? Files.readString(javaLog) : "";
    }

    @Test
    void aUsersFirstEvalInstallsTheSandboxThroughSudoAfterSayingWhatThenRuns() throws Exception {
        debian.have(EVAL_BUT_BWRAP);
        debian.sudo();
        Shell s = run("./codellm", HUMANEVAL, USER);
        assertEquals(new Shell(0, """
                codellm: codellm eval needs bubblewrap; installing: sudo -n apt-get install -y --no-install-recommends bubblewrap
                codellm: installed; continuing
                java ran
                """), s);
        assertEquals("""
                sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bubblewrap
                install -y -qq --no-install-recommends bubblewrap
                """, debian.aptLog());
        assertTrue(javaLog().strip().endsWith("-jar " + checkout.resolve("codellm-cli/target/codellm.jar") + " " + String.join(" ", HUMANEVAL)),
                javaLog());

        Shell again = run("./codellm", HUMANEVAL, USER);
        assertEquals(new Shell(0, "java ran\n"), again, "the second time: nothing to install, nothing said");
        assertEquals(2, debian.aptLog().lines().count(), "apt-get not asked again");
    }

    @Test
    void rootInstallsDirectly() throws Exception {
        debian.have(EVAL_BUT_BWRAP);
        Shell s = run("./codellm", HUMANEVAL, Map.of());
        assertEquals(0, s.code(), s.out());
        assertTrue(s.out().startsWith("codellm: codellm eval needs bubblewrap; installing: apt-get install -y --no-install-recommends bubblewrap\n"), s.out());
        assertEquals("install -y -qq --no-install-recommends bubblewrap\n", debian.aptLog());
        assertTrue(s.out().endsWith("java ran\n"), s.out());
    }

    @Test
    void withoutRootOrSudoItStopsWithTheOneCommandToRun() throws Exception {
        debian.have(EVAL_BUT_BWRAP);
        Shell s = run("./codellm", HUMANEVAL, USER);
        assertEquals(new Shell(1, "codellm: codellm eval needs bubblewrap, not installed: run  sudo apt-get install -y --no-install-recommends bubblewrap\n"), s);
        assertEquals("", javaLog(), "eval does not start without its sandbox");
        assertEquals("", debian.aptLog());
    }

    @Test
    void helpAndCommandsThatNeedNothingInstallNothing() throws Exception {
        debian.sudo();
        for (List<String> args : List.of(List.of("eval", "--help"), List.of("complete", "def f():"), List.of("eval", "compare", "a", "b"))) {
            Shell s = run("./codellm", args, USER);
            assertEquals(new Shell(0, "java ran\n"), s, String.join(" ", args));
        }
        assertEquals("", debian.aptLog());
    }

    /**
     * The JVM gets the terminal itself (issue 17: the launcher sent stderr through grep, so progress
     * could not redraw in place and the chat REPL printed status lines into the conversation), and
     * is told so ({@code -Dcodellm.stderr.tty=true}): run on a pseudo-terminal made by util-linux's
     * {@code script}.
     */
    @Test
    void theJvmOwnsTheTerminal() throws Exception {
        Shell s = run("/usr/bin/script -qec \"./codellm chat\" /dev/null", List.of(), Map.of());
        assertEquals(0, s.code(), s.out());
        assertEquals("java has the terminal\r\njava ran\r\n", s.out());
        assertTrue(javaLog().contains(" -Dcodellm.stderr.tty=true "), javaLog());
        assertTrue(javaLog().strip().endsWith(" chat"), javaLog());
    }

    /**
     * A source newer than the jar (or no jar: a fresh clone) makes the launcher build it, after
     * installing gcc for the native kernels; without a way to install gcc it says so and builds the
     * pure-Java kernels rather than stopping.
     */
    @Test
    void aChangedSourceRebuildsTheJarAfterInstallingGcc() throws Exception {
        Path source = Files.createDirectories(checkout.resolve("codellm-model/src/main/c")).resolve("kernels.c");
        Files.writeString(source, "");
        Files.setLastModifiedTime(source, FileTime.from(Instant.now().plus(2, ChronoUnit.DAYS)));
        Shell noSudo = run("./codellm", List.of("complete", "def f():"), USER);
        assertEquals(new Shell(0, """
                codellm: the build (native kernels) needs gcc, not installed: run  sudo apt-get install -y --no-install-recommends gcc
                codellm: building without gcc: the pure-Java Vector API kernels will run (slower; install gcc for the native ones)
                codellm: building (first run or sources changed)...
                java ran
                """), noSudo);
        assertEquals("-B -q -o -DskipTests package\n", Files.readString(mvnLog), "built offline first");

        debian.sudo();
        Files.delete(checkout.resolve("codellm-cli/target/codellm.jar"));
        Shell withSudo = run("./codellm", List.of("complete", "def f():"), USER);
        assertEquals(new Shell(0, """
                codellm: the build (native kernels) needs gcc; installing: sudo -n apt-get install -y --no-install-recommends gcc
                codellm: installed; continuing
                codellm: building (first run or sources changed)...
                java ran
                """), withSudo);
    }

    /** MultiPL-E scores the languages whose toolchain is there: a failed install is said, then the run goes on. */
    @Test
    void multiplEGoesOnWhenToolchainsCannotBeInstalled() throws Exception {
        debian.have("bubblewrap", "util-linux", "python3", "python3-numpy", "procps");
        Shell s = run("./codellm", List.of("eval", "--dataset", "multipl-e/rs", "--out", "x"), Map.of("APT_FAIL", "always"));
        assertEquals(0, s.code(), s.out());
        assertTrue(s.out().contains("codellm: codellm eval needs "), s.out());
        assertTrue(s.out().contains("rustc"), s.out());
        assertTrue(s.out().endsWith("codellm: continuing: languages without their toolchain are reported as not scored\njava ran\n"), s.out());
    }

    /** ./run-tests (and .ci/run, which only calls it) installs every list's packages, then runs Maven. */
    @Test
    void runTestsInstallsWhatTheTestsNeedThenRunsMaven() throws Exception {
        debian.sudo();
        Shell s = run("./run-tests", List.of("-pl", "codellm-model"), USER);
        assertEquals(0, s.code(), s.out());
        List<String> lines = s.out().lines().toList();
        assertTrue(lines.get(0).startsWith("codellm: codellm's tests and tools needs "), s.out());
        for (String p : List.of("bubblewrap", "chromium", "chromium-driver", "gcc", "python3-numpy", "rustc")) {
            assertTrue(lines.get(0).contains(" " + p + " ") || lines.get(0).contains(" " + p + ";"), p + " in " + lines.get(0));
        }
        assertEquals(List.of("codellm: installed; continuing", "mvn ran"), lines.subList(1, lines.size()), s.out());
        assertEquals("-B -ntp -Dsurefire.failIfNoSpecifiedTests=false -pl codellm-model verify\n", Files.readString(mvnLog));

        // .ci/run: the README's test command, then the variant-dependent classes again with each
        // kernel variant forced (issue 19); nothing installed a second time.
        int before = Files.readAllLines(mvnLog).size();
        Shell ci = run(".ci/run", List.of(), USER);
        assertEquals(new Shell(0, """
                mvn ran
                ci: kernel variant pass, CODELLM_ISA=avx2
                mvn ran
                ci: kernel variant pass, CODELLM_ISA=java
                mvn ran
                """), ci, "everything installed now: quiet, then the README's test command and the variant passes");
        List<String> ciRuns = Files.readAllLines(mvnLog).subList(before, before + 3);
        assertEquals("-B -ntp -Dsurefire.failIfNoSpecifiedTests=false verify", ciRuns.get(0), "the full suite first");
        for (String pass : ciRuns.subList(1, 3)) {
            assertTrue(pass.startsWith("-B -ntp -Dsurefire.failIfNoSpecifiedTests=false -q -pl codellm-model,codellm-server,codellm-cli -am -DskipITs -Dtest="), pass);
            assertTrue(pass.endsWith(" verify") && pass.contains("ForcedVariantTest"), pass);
        }
        assertFalse(debian.aptLog().lines().skip(2).findAny().isPresent(), "apt-get not asked again: " + debian.aptLog());
    }
}
