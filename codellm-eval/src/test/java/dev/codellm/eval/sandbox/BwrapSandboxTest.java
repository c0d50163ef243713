package dev.codellm.eval.sandbox;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Escape attempts that must fail inside the sandbox, and the plumbing that must work. */
class BwrapSandboxTest {
    private static BwrapSandbox sandbox;
    private static final Limits FAST = Limits.DEFAULT.withWallTimeout(Duration.ofSeconds(10));

    @BeforeAll
    static void create() {
        sandbox = BwrapSandbox.create();
    }

    private static RunResult python(String code) {
        return python(code, FAST);
    }

    private static RunResult python(String code, Limits limits) {
        return sandbox.run(RunRequest.of(List.of("/usr/bin/python3", "main.py"), limits).withFile("main.py", code));
    }

    @Test
    void runsArgvWithFilesStdinAndCollectsOutputs() {
        RunResult r = sandbox.run(RunRequest.of(List.of("/usr/bin/python3", "prog.py", "arg1"), FAST)
                .withFile("prog.py", "import sys,os\nd=sys.stdin.read()\nprint(d.upper(), sys.argv[1], os.getcwd())\n"
                        + "open('sub/out.txt','w').write('written')\nsys.stderr.write('err!')\nsys.exit(3)\n")
                .withFile("sub/keep.txt", "x")
                .withStdin("hello")
                .withCollect(List.of("sub/out.txt", "missing.txt")));
        assertEquals(3, r.exitCode());
        assertFalse(r.timedOut());
        assertEquals("HELLO arg1 " + BwrapSandbox.WORKDIR + "\n", r.stdout());
        assertEquals("err!", r.stderr());
        assertEquals("written", r.fileText("sub/out.txt"));
        assertNull(r.fileText("missing.txt"));
    }

    @Test
    void networkIsUnreachableEvenToTheHostsLoopback() throws IOException {
        try (ServerSocket host = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            RunResult r = python("import socket\n"
                    + "for addr in [('127.0.0.1', " + host.getLocalPort() + "), ('1.1.1.1', 80)]:\n"
                    + "    try:\n"
                    + "        socket.create_connection(addr, timeout=2); print('CONNECTED', addr)\n"
                    + "    except OSError as e:\n"
                    + "        print('blocked', e.errno)\n");
            assertEquals(0, r.exitCode(), r.stderr());
            assertFalse(r.stdout().contains("CONNECTED"), r.stdout());
            assertEquals(2, r.stdout().lines().filter(l -> l.startsWith("blocked")).count(), r.stdout());
        }
    }

    @Test
    void forkBombIsStoppedByTheProcessLimit() {
        RunResult r = python("import os, time\nn = 0\ntry:\n    for _ in range(10000):\n        if os.fork() == 0:\n"
                + "            time.sleep(5); os._exit(0)\n        n += 1\nexcept OSError as e:\n    print('fork failed after', n)\n",
                FAST.withMaxProcesses(16));
        assertTrue(r.stdout().startsWith("fork failed after"), r.stdout() + r.stderr());
        int forked = Integer.parseInt(r.stdout().strip().replaceAll("\\D+", ""));
        assertTrue(forked < 16, "forked " + forked);
        assertTrue(r.wallMillis() < 5000, "the sleeping children must die with the sandbox, not be waited for");
    }

    @Test
    void hostFilesystemIsReadOnlyOrInvisible() throws IOException {
        // A host file outside /tmp (the sandbox has its own /tmp, so a host /tmp path would be a different file).
        Path outside = Files.createTempFile(Path.of("target").toAbsolutePath(), "codellm-sbx-victim", ".txt");
        try {
            RunResult r = python("import os\n"
                    + "for p in ['/usr/evil', '/etc/evil', '" + outside + "', '/root/evil', '/work/evil']:\n"
                    + "    try:\n"
                    + "        open(p, 'w').write('pwned'); print('WROTE', p)\n"
                    + "    except OSError as e:\n"
                    + "        print('denied', p)\n"
                    + "print('home' , os.path.exists('/root/.bashrc') or os.path.exists('/work'))\n"
                    + "open('/tmp/scratch', 'w').write('ok'); print('tmp ok')\n");
            assertFalse(r.stdout().contains("WROTE"), r.stdout());
            assertTrue(r.stdout().contains("home False"), r.stdout());
            assertTrue(r.stdout().contains("tmp ok"), r.stdout() + r.stderr());
            assertEquals("", Files.readString(outside));
        } finally {
            Files.delete(outside);
        }
    }

    @Test
    void infiniteLoopIsKilledAtTheWallTimeoutWithNoLeftovers() throws Exception {
        // A sleep duration unique to this run, so other sandboxes on the host cannot be mistaken for leftovers.
        String marker = "1000." + ProcessHandle.current().pid() + System.nanoTime() % 100000;
        RunResult r = python("import subprocess\nsubprocess.Popen(['/bin/sleep', '" + marker + "'])\nwhile True:\n    pass\n",
                FAST.withWallTimeout(Duration.ofMillis(1500)));
        assertTrue(r.timedOut());
        assertTrue(r.wallMillis() < 8000, "killed promptly: " + r.wallMillis());
        // No process of the sandbox survives: nothing runs that sleep any more.
        Process ps = new ProcessBuilder("ps", "-eo", "args").start();
        String all = new String(ps.getInputStream().readAllBytes());
        ps.waitFor(5, TimeUnit.SECONDS);
        assertFalse(all.contains("/bin/sleep " + marker), all);
    }

    @Test
    void cpuLimitStopsABusyLoopEvenWithALongWallTimeout() {
        Limits l = new Limits(Duration.ofSeconds(30), 1, 4 * Limits.GIB, 16, Limits.MIB, 1 << 16);
        RunResult r = python("while True:\n    pass\n", l);
        assertFalse(r.timedOut());
        assertNotEquals(0, r.exitCode());
        // Not timed out under a 30 s wall limit = stopped by RLIMIT_CPU (1 s of CPU). No tighter wall
        // bound: on a loaded host one CPU second can take many wall seconds.
        assertTrue(r.wallMillis() < 30_000, "stopped by RLIMIT_CPU: " + r.wallMillis());
    }

    @Test
    void hugeMemoryAllocationFails() {
        RunResult r = python("try:\n    x = bytearray(8 * 1024**3)\n    print('ALLOCATED')\nexcept MemoryError:\n    print('MemoryError')\n",
                FAST.withAddressSpace(512 * Limits.MIB));
        assertEquals("MemoryError\n", r.stdout(), r.stderr());
    }

    @Test
    void hugeFileWriteIsStopped() {
        RunResult r = python("try:\n    open('big', 'wb').write(b'x' * (8 * 1024 * 1024))\n    print('WROTE')\nexcept OSError as e:\n    print('blocked', e.errno)\n",
                FAST.withMaxFileBytes(Limits.MIB));
        assertFalse(r.stdout().contains("WROTE"), r.stdout() + r.stderr());
    }

    @Test
    void killingTheParentOrAHostProcessFails() throws Exception {
        Process victim = new ProcessBuilder("sleep", "30").start();
        try {
            RunResult r = python("import os, signal\n"
                    + "for pid in [os.getppid(), 1, " + victim.pid() + ", " + ProcessHandle.current().pid() + "]:\n"
                    + "    try:\n"
                    + "        os.kill(pid, signal.SIGKILL)\n"
                    + "    except OSError as e:\n"
                    + "        pass\n"
                    + "print('still here')\n");
            assertTrue(victim.isAlive(), "a host process was killed from inside the sandbox");
            assertEquals("still here\n", r.stdout(), r.stderr());
        } finally {
            victim.destroyForcibly();
        }
    }

    @Test
    void symlinkPlantedForCollectionIsNotFollowedOnTheHost() {
        RunResult r = sandbox.run(RunRequest.of(List.of("/usr/bin/python3", "-c", "import os; os.symlink('/etc/hostname', 'result.json')"), FAST)
                .withCollect(List.of("result.json")));
        assertEquals(0, r.exitCode(), r.stderr());
        assertNull(r.fileText("result.json"));
    }

    @Test
    void badFileNamesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> RunRequest.of(List.of("/bin/true"), FAST).withFile("../x", "y"));
        assertThrows(IllegalArgumentException.class, () -> RunRequest.of(List.of("/bin/true"), FAST).withFile("/etc/x", "y"));
    }
}
