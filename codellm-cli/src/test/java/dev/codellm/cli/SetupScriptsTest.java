package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.codellm.cli.FakeDebian.Shell;

/**
 * The run-time set-up of {@code scripts/packages.sh} (used by {@code ./codellm}, {@code ./run-tests}
 * and {@code scripts/setup.sh}), run by bash against {@link FakeDebian}'s stub {@code dpkg-query},
 * {@code apt-get}, {@code sudo} and {@code id}, so no real package is touched:
 * silent when all is there, installs what is missing as root or through sudo after saying what,
 * and prints the one command to run when it cannot.
 */
class SetupScriptsTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    @TempDir Path tmp;
    FakeDebian debian;
    Path installed;

    @BeforeEach
    void stubs() throws IOException {
        debian = new FakeDebian(tmp);
        installed = debian.installed;
    }

    private void sudoStub() throws IOException {
        debian.sudo();
    }

    private void have(String... packages) throws IOException {
        debian.have(packages);
    }

    private String aptLog() throws IOException {
        return debian.aptLog();
    }

    /** Runs {@code snippet} in bash after sourcing scripts/packages.sh, stdin not a terminal. */
    private Shell run(String snippet, Map<String, String> env) throws Exception {
        return debian.run(ROOT, ". scripts/packages.sh; " + snippet, env);
    }

    @Test
    void silentWhenEverythingIsInstalled() throws Exception {
        have("bubblewrap", "util-linux", "python3", "python3-numpy", "procps");
        Shell s = run("codellm_ensure_packages 'codellm eval' eval", Map.of());
        assertEquals(new Shell(0, ""), s);
        assertEquals("", aptLog(), "apt-get must not run");
    }

    @Test
    void rootInstallsWhatIsMissingAfterSayingSoThenStaysQuiet() throws Exception {
        have("util-linux", "python3", "python3-numpy", "procps");
        Shell s = run("codellm_ensure_packages 'codellm eval' eval", Map.of());
        assertEquals(0, s.code(), s.out());
        assertTrue(s.out().startsWith("codellm: codellm eval needs bubblewrap; installing: apt-get install -y --no-install-recommends bubblewrap\n"), s.out());
        assertEquals("install -y -qq --no-install-recommends bubblewrap\n", aptLog());
        assertTrue(Files.readString(installed).contains("bubblewrap"));
        assertEquals(new Shell(0, ""), run("codellm_ensure_packages 'codellm eval' eval", Map.of()), "second run: nothing to do");
    }

    @Test
    void aFreshImageWithoutPackageListsUpdatesThemOnce() throws Exception {
        have("bubblewrap", "util-linux", "python3", "procps");
        Shell s = run("codellm_ensure_packages 'codellm eval' eval", Map.of("APT_FAIL", "until-update"));
        assertEquals(0, s.code(), s.out());
        assertEquals("""
                install -y -qq --no-install-recommends python3-numpy
                update -qq
                install -y -qq --no-install-recommends python3-numpy
                """, aptLog());
    }

    @Test
    void aUserGoesThroughSudoWithoutBeingPromptedWhenThereIsNoTerminal() throws Exception {
        sudoStub();
        Shell s = run("codellm_ensure_packages 'codellm eval' eval", Map.of("STUB_UID", "1000"));
        assertEquals(0, s.code(), s.out());
        assertTrue(s.out().contains("installing: sudo -n apt-get install -y --no-install-recommends bubblewrap procps python3 python3-numpy util-linux"), s.out());
        assertTrue(aptLog().startsWith("sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bubblewrap procps"), aptLog());
    }

    @Test
    void withoutRootOrSudoItPrintsTheOneCommandToRun() throws Exception {
        have("util-linux", "python3", "python3-numpy", "procps");
        Shell s = run("codellm_ensure_packages 'codellm eval' eval", Map.of("STUB_UID", "1000"));
        assertEquals(new Shell(1, "codellm: codellm eval needs bubblewrap, not installed: run  sudo apt-get install -y --no-install-recommends bubblewrap\n"), s);
        assertEquals("", aptLog());
    }

    @Test
    void aFailedInstallSaysWhatToRunAndFails() throws Exception {
        have("util-linux", "python3", "python3-numpy", "procps");
        Shell s = run("codellm_ensure_packages 'codellm eval' eval", Map.of("APT_FAIL", "always"));
        assertEquals(1, s.code(), s.out());
        assertTrue(s.out().strip().lines().toList().getLast().matches(
                "codellm: could not install bubblewrap \\(log: .*\\): run  apt-get install -y --no-install-recommends bubblewrap"), s.out());
        assertFalse(Files.readString(installed).contains("bubblewrap"));
    }

    @Test
    void noInstallModeOnlyChecks() throws Exception {
        Shell s = run("codellm_ensure_packages 'the build' kernels", Map.of("CODELLM_NO_INSTALL", "1"));
        assertEquals(new Shell(1, "codellm: the build needs gcc, not installed: run  apt-get install -y --no-install-recommends gcc\n"), s);
    }

    @Test
    void commandsNameTheAreasTheyNeedAndEveryAreaHasAList() throws Exception {
        assertEquals("eval\n", run("codellm_runtime_areas eval --dataset humaneval --out x", Map.of()).out());
        assertEquals("eval\nmultipl-e\n", run("codellm_runtime_areas eval --model m.gguf --dataset multipl-e/rs,go --out x", Map.of()).out());
        assertEquals("eval\nmultipl-e\n", run("codellm_runtime_areas eval --dataset=multipl-e --out x", Map.of()).out());
        assertEquals("eval\n", run("codellm_runtime_areas eval --dataset mbpp --out runs/multipl-e", Map.of()).out());
        assertEquals("data\n", run("codellm_runtime_areas oss-instruct --out x", Map.of()).out());
        for (String none : List.of("eval compare a b", "eval --help", "eval --dataset multipl-e -h", "complete x", "", "--version")) {
            assertEquals(new Shell(0, ""), run("codellm_runtime_areas " + none, Map.of()), none);
        }
        for (String area : List.of("eval", "multipl-e", "data", "kernels")) {
            assertTrue(Files.exists(ROOT.resolve("scripts/packages/" + area + ".txt")), area);
        }
        String all = run("codellm_packages", Map.of()).out();
        assertTrue(all.lines().toList().containsAll(List.of("bubblewrap", "gcc", "python3-numpy", "rustc")), all);
        assertEquals(all.lines().distinct().sorted().toList(), all.lines().toList(), "sorted, unique");
    }

    /** install-link works from the checkout and through the link it made (the launcher resolves itself). */
    @Test
    void installLinkPutsTheLauncherOnThePath() throws Exception {
        Path a = tmp.resolve("a"), local = Files.createDirectories(tmp.resolve(".local/bin"));
        Shell first = run("./codellm install-link " + a, Map.of());
        assertEquals(0, first.code(), first.out());
        assertEquals(ROOT.resolve("codellm"), a.resolve("codellm").toRealPath());
        assertTrue(first.out().contains("is not on your PATH; add it:  export PATH=\"" + a + ":$PATH\""), first.out());
        Shell second = run(a.resolve("codellm") + " install-link", Map.of("PATH", debian.bin + ":" + local));
        assertEquals(0, second.code(), second.out());
        assertEquals(ROOT.resolve("codellm"), local.resolve("codellm").toRealPath(), "~/.local/bin, being on the PATH");
        assertEquals("codellm: linked " + local.resolve("codellm") + " -> " + ROOT.resolve("codellm") + "\n", second.out());
    }
}
