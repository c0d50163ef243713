package dev.codellm.eval.sandbox;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 §1 without root: the writable work dir is bubblewrap's own size-limited tmpfs, not a
 * host directory, for a JVM of a normal user (the common case: users run {@code codellm eval} as
 * themselves). CI's JVM is root, so the launch runs as nobody ({@link BwrapSandbox#asUnprivilegedUser});
 * as a normal user this is the plain sandbox. Before, such a run wrote to a bound host directory:
 * 64 × 16 MiB went to the host disk and the mount table named its host path.
 */
class UnprivilegedWorkDirTest {
    private static final int NOBODY = 65534;
    private static final Limits FAST = Limits.DEFAULT.withWallTimeout(Duration.ofSeconds(30));
    private static BwrapSandbox sandbox;

    @BeforeAll
    static void create() {
        sandbox = BwrapSandbox.asUnprivilegedUser(NOBODY);
    }

    private static RunResult python(String code, Limits limits) {
        return sandbox.run(RunRequest.of(List.of("/usr/bin/python3", "main.py"), limits).withFile("main.py", code));
    }

    @Test
    void sixtyFourFilesOf16MiBStopWithEnospcInAWorkDirOfMemory() {
        // statvfs and the mount table say where the bytes went: a tmpfs of exactly the limit, not the host disk.
        RunResult r = python("import os\nst = os.statvfs('.')\nprint('size', st.f_blocks * st.f_frsize)\n"
                + "print('fs', [l.split(' - ')[1].split()[0] for l in open('/proc/self/mountinfo') if l.split()[4] == '/tmp/w'])\n"
                + "n = 0\ntry:\n    for i in range(64):\n        open('f%d' % i, 'wb').write(b'x' * (16 << 20)); n += 1\n"
                + "except OSError as e:\n    print('stopped', e.errno, n)\nelse:\n    print('wrote', n)\n",
                FAST.withWorkDir(256 * Limits.MIB));
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        List<String> lines = r.stdout().lines().toList();
        assertEquals("size " + 256 * Limits.MIB, lines.get(0), r.stdout());
        assertEquals("fs ['tmpfs']", lines.get(1), r.stdout());
        assertTrue(lines.get(2).startsWith("stopped 28 "), "ENOSPC expected: " + r.stdout() + r.stderr());
        assertTrue(Integer.parseInt(lines.get(2).split(" ")[2]) <= 16, r.stdout());
    }

    @Test
    void theMountTableShowsNoHostPath() {
        RunResult r = python("print(open('/proc/self/mountinfo').read())", FAST);
        assertEquals(0, r.exitCode(), r.stderr());
        String tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().toString();
        String project = Path.of("").toAbsolutePath().toString();
        assertFalse(r.stdout().contains("codellm-sbx"), r.stdout());
        for (String line : r.stdout().lines().filter(l -> l.split(" ").length > 4).toList()) {
            String mountRoot = line.split(" ")[3];
            assertFalse(mountRoot.startsWith(tmp + "/") || mountRoot.startsWith(project), line);
        }
    }

    @Test
    void filesGoInThroughTheArchiveAndCollectedOnesComeBack() {
        String deep = "d/".repeat(60) + "deep.txt"; // over 100 bytes: the ustar prefix field
        RunResult r = sandbox.run(RunRequest.of(List.of("/usr/bin/python3", "main.py"), FAST)
                .withFile("main.py", "import os\nprint(open('sub/in.txt').read(), open('" + deep + "').read())\n"
                        + "open('sub/in.txt', 'a').write('+out')\nopen('empty', 'w').close()\n"
                        + "os.symlink('/etc/hostname', 'link.json')\n")
                .withFile("sub/in.txt", "in")
                .withFile(deep, "deep")
                .withCollect(List.of("sub/in.txt", "empty", "missing", "link.json")));
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("in deep\n", r.stdout());
        assertEquals("in+out", r.fileText("sub/in.txt"));
        assertEquals("", r.fileText("empty"), "present and empty is not absent");
        assertNull(r.fileText("missing"));
        assertNull(r.fileText("link.json"), "a planted link is not followed");
    }

    @Test
    void theProgramCannotKillTheWrapperAndItsStatusIsReported() {
        // The wrapper is PID 1 (--as-pid-1): signals from inside do not reach it, so collection still happens.
        RunResult r = sandbox.run(RunRequest.of(List.of("/usr/bin/python3", "-c",
                        "import os, signal\nopen('r.txt', 'w').write('kept')\nos.kill(os.getppid(), signal.SIGKILL)\n"
                                + "os.kill(1, signal.SIGTERM)\nprint(os.getppid())\nraise SystemExit(7)\n"), FAST)
                .withCollect(List.of("r.txt")));
        assertEquals(7, r.exitCode(), r.stderr());
        assertEquals("1\n", r.stdout());
        assertEquals("kept", r.fileText("r.txt"));
    }

    /**
     * A program that gave its standard streams away (as the DS-1000 harness does for each
     * problem's child) cannot write to the run's stdout or stderr through PID 1's descriptors,
     * nor read its stdin there (an assertion: the exit status says). Before, the wrapper held them
     * all while the program ran, and as a normal user the host files belong to the sandbox's uid:
     * "forged" reached stdout and stderr. It waits (bounded) for the wrapper to have dropped them,
     * which it does right after the fork.
     */
    @Test
    void aProgramCannotReachTheRunsStreamsThroughThePid1Wrapper() {
        RunResult r = sandbox.run(RunRequest.of(List.of("/usr/bin/python3", "-c",
                "import os, sys, time\nprint('real', sys.stdin.read(), flush=True)\nmine = os.readlink('/proc/self/fd/1')\n"
                        + "for _ in range(100):\n    if os.readlink('/proc/1/fd/1') != mine: break\n    time.sleep(0.01)\n"
                        + "null = os.open(os.devnull, os.O_RDWR)\nfor fd in (0, 1, 2): os.dup2(null, fd)\n"
                        + "for fd in os.listdir('/proc/1/fd'):\n    try:\n"
                        + "        os.write(os.open('/proc/1/fd/' + fd, os.O_WRONLY | os.O_APPEND), b'forged')\n    except OSError:\n        pass\n"
                        + "    try:\n        assert os.read(os.open('/proc/1/fd/' + fd, os.O_RDONLY), 100) != b'in'\n    except OSError:\n        pass\n"),
                FAST).withStdin("in"));
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("real in\n", r.stdout());
        assertEquals("", r.stderr());
    }

    @Test
    void noDescriptorButTheStandardOnesIsLeftToTheProgram() {
        RunResult r = sandbox.run(RunRequest.of(List.of("/usr/bin/python3", "-c",
                "import os\nprint(sorted(int(f) for f in os.listdir('/proc/self/fd')))"), FAST).withCollect(List.of("x")));
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("[0, 1, 2, 3]\n", r.stdout(), "3 is listdir's own"); // inputs 3, collection 4.., filter 9: closed
    }

    @Test
    void theReportSaysTheWorkDirIsATmpfsAndWhetherACgroupWasMade() {
        String d = sandbox.describe();
        assertTrue(d.contains("work dir on a size-limited tmpfs inside the sandbox"), d);
        assertTrue(d.contains(sandbox.hasCgroups() ? "leaf per run" : "NO cgroup"), d);
    }

    @Test
    void inputArchiveHeadersAreUstar() {
        byte[] h = InputArchive.header("a/b.txt", 5);
        assertEquals("a/b.txt", new String(h, 0, 7, StandardCharsets.US_ASCII));
        assertEquals("ustar\0", new String(h, 257, 6, StandardCharsets.US_ASCII));
        long sum = 0;
        for (int i = 0; i < 512; i++) sum += (i >= 148 && i < 156) ? ' ' : h[i] & 0xff;
        assertEquals(sum, Long.parseLong(new String(h, 148, 6, StandardCharsets.US_ASCII), 8));
        assertThrows(IllegalArgumentException.class, () -> InputArchive.header("x".repeat(300), 1));
    }
}
