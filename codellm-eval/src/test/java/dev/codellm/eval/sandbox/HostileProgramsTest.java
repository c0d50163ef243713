package dev.codellm.eval.sandbox;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 §2's list of attacks that are contained (beside {@link BwrapSandboxTest}'s network,
 * fork bomb, write, loop, CPU, memory and file-size cases): each program tries, and prints
 * "ESCAPED" if it got anywhere; the host checks what it can see from outside too.
 */
class HostileProgramsTest {
    private static BwrapSandbox sandbox;
    private static final Limits LIMITS = Limits.DEFAULT.withWallTimeout(Duration.ofSeconds(20));

    @BeforeAll
    static void create() {
        sandbox = BwrapSandbox.create();
    }

    private static RunResult python(String code, Limits limits) {
        return sandbox.run(RunRequest.of(List.of("/usr/bin/python3", "main.py"), limits).withFile("main.py", code)
                .withEnv(java.util.Map.of("CODELLM_TEST_VAR", "x")));
    }

    private static void contained(String code) {
        RunResult r = python(code, LIMITS);
        assertFalse(r.stdout().contains("ESCAPED"), r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("done"), "the program ran to its end: " + r.stdout() + r.stderr());
    }

    @Test
    void secretsOfTheHostAreNotReadable() {
        contained("import os\n"
                + "for p in ['/etc/shadow', '/root/.bashrc', '/root/.ssh', '/work', '" + Path.of("").toAbsolutePath() + "/pom.xml',\n"
                + "          '/home']:\n"
                + "    try:\n"
                + "        open(p).read(1) if not os.path.isdir(p) else os.listdir(p)\n"
                + "        print('ESCAPED read', p)\n"
                + "    except OSError:\n"
                + "        pass\n"
                + "print('done')\n");
    }

    /** An OPENAI_API_KEY given to the eval (or anything else in the JVM's environment) is not passed on. */
    @Test
    void theEnvironmentHasOnlyTheSandboxsOwnVariables() {
        RunResult r = python("import os\nprint(sorted(os.environ), os.environ.get('PWD'))\n"
                + "e = dict(v.split('=', 1) for v in open('/proc/1/environ').read().split('\\0') if v)\n"
                + "print(sorted(e), e.get('PWD'))\n", LIMITS);
        List<String> lines = r.stdout().replace("'LC_CTYPE', ", "").lines().toList();
        // PWD is bubblewrap's (the sandbox's work dir); the launcher's would name the JVM's working directory.
        // PID 1 is the sandbox's wrapper shell (--as-pid-1), started by bubblewrap after its chdir: the same.
        String own = "['CODELLM_TEST_VAR', 'HOME', 'LANG', 'PATH', 'PWD', 'TMPDIR'] /tmp/w";
        assertEquals(List.of(own, own), lines, "the program's, then PID 1's: " + r.stderr());
    }

    @Test
    void noSocketReachesAnything() throws Exception {
        // A host listener on an abstract unix socket: network namespaces separate those too.
        String name = "codellm-test-" + ProcessHandle.current().pid();
        Process host = new ProcessBuilder("/usr/bin/python3", "-c", "import socket,time\ns=socket.socket(socket.AF_UNIX)\n"
                + "s.bind('\\0" + name + "'); s.listen(1); print('up', flush=True); time.sleep(30)").start();
        try {
            assertEquals("up", new String(host.getInputStream().readNBytes(2)));
            contained("import socket\n"
                    + "tries = [(socket.AF_INET6, ('::1', 22)), (socket.AF_INET, ('127.0.0.1', 53)), (socket.AF_UNIX, '\\0" + name + "')]\n"
                    + "for fam, addr in tries:\n"
                    + "    s = socket.socket(fam)\n"
                    + "    s.settimeout(2)\n"
                    + "    try:\n"
                    + "        s.connect(addr); print('ESCAPED connect', addr)\n"
                    + "    except OSError:\n"
                    + "        pass\n"
                    + "try:\n"
                    + "    socket.getaddrinfo('example.com', 80); print('ESCAPED dns')\n"
                    + "except OSError:\n"
                    + "    pass\n"
                    + "print('done')\n");
        } finally {
            host.destroyForcibly();
        }
    }

    @Test
    void hardLinksDevicesMountsAndNamespacesAreRefused() {
        contained("import os, subprocess\n"
                + "for src in ['/etc/passwd', '/usr/bin/python3']:\n"
                + "    try:\n"
                + "        os.link(src, 'hl'); print('ESCAPED link', src); os.unlink('hl')\n"
                + "    except OSError:\n"
                + "        pass\n"
                + "try:\n"
                + "    os.mknod('dev', 0o666 | 0o020000, os.makedev(1, 3)); print('ESCAPED mknod')\n"
                + "except OSError:\n"
                + "    pass\n"
                + "for cmd in (['/usr/bin/unshare', '-r', 'true'], ['/usr/bin/mount', '-t', 'tmpfs', 'x', '/tmp'], ['/usr/bin/unshare', '-n', 'true']):\n"
                + "    if os.path.exists(cmd[0]) and subprocess.run(cmd, capture_output=True).returncode == 0:\n"
                + "        print('ESCAPED', cmd)\n"
                + "print('done')\n");
    }

    /** A double-forked daemon in its own session must not outlive the run. */
    @Test
    void aDoubleForkedDaemonDiesWithTheRun() throws Exception {
        String marker = "2000." + ProcessHandle.current().pid() + System.nanoTime() % 100000;
        RunResult r = python("import os\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
                + "        os.execv('/bin/sleep', ['/bin/sleep', '" + marker + "'])\n    os._exit(0)\nos.wait()\nprint('done')\n", LIMITS);
        assertEquals("done\n", r.stdout(), r.stderr());
        Thread.sleep(200);
        Process ps = new ProcessBuilder("ps", "-eo", "args").start();
        String all = new String(ps.getInputStream().readAllBytes());
        ps.waitFor(5, TimeUnit.SECONDS);
        assertFalse(all.contains("/bin/sleep " + marker), "the daemon survived:\n" + all);
    }

    @Test
    void twentyGigabytesAreNotGiven() {
        RunResult r = python("try:\n    b = bytearray(20 * 1024 ** 3)\n    print('ESCAPED 20 GB')\nexcept MemoryError:\n    print('done')\n", LIMITS);
        assertEquals("done\n", r.stdout(), r.stderr());
    }

    @Test
    void aStdoutFloodIsCutAndTheRunEnds() {
        Limits l = LIMITS.withWallTimeout(Duration.ofSeconds(8));
        RunResult r = python("import os\nb = b'x' * 65536\nwhile True:\n    os.write(1, b)\n", l);
        assertTrue(r.stdout().length() <= l.maxOutputBytes(), "read back at most the limit: " + r.stdout().length());
        assertNotEquals(0, r.exitCode());
        assertEquals("file-size", r.limitHit(), "killed at the file-size limit; exit " + r.exitCode());
    }

    /** stdout and stderr are pipes read at once: flooding both ends at the cap, not at the wall clock. */
    @Test
    void floodingStdoutAndStderrTogetherIsCutAndTheRunEnds() {
        Limits l = LIMITS.withWallTimeout(Duration.ofSeconds(8));
        RunResult r = python("import os, threading\nb = b'x' * 65536\ndef flood(fd):\n    while True:\n        os.write(fd, b)\n"
                + "threading.Thread(target=flood, args=(2,), daemon=True).start()\nflood(1)\n", l);
        assertFalse(r.timedOut(), "stopped at the output cap, not by the wall clock");
        assertEquals("file-size", r.limitHit());
        assertTrue(r.stdout().length() <= l.maxOutputBytes() && r.stderr().length() <= l.maxOutputBytes(),
                r.stdout().length() + " " + r.stderr().length());
        assertTrue(r.stdout().startsWith("xxxx") && r.stderr().startsWith("xxxx"), "both were read while the other filled");
    }

    /** The cut is where RLIMIT_FSIZE put it when stdout was a file: exactly the limit is allowed, one byte more is not. */
    @Test
    void outputOfExactlyTheFileSizeLimitIsKeptOneByteMoreIsCut() {
        Limits l = LIMITS.withMaxFileBytes(Limits.MIB);
        String write = "import sys\nsys.stdout.buffer.write(b'y' * %d)\nsys.stdout.flush()\n";
        RunResult atLimit = python(write.formatted(Limits.MIB), l);
        assertEquals(0, atLimit.exitCode(), atLimit.stderr());
        assertNull(atLimit.limitHit());
        assertEquals(Limits.MIB, atLimit.stdout().length());
        RunResult over = python(write.formatted(Limits.MIB + 1), l);
        assertEquals(128 + 25, over.exitCode(), "failed as SIGXFSZ failed it, even if its last write had returned");
        assertEquals("file-size", over.limitHit());
        assertEquals(l.maxOutputBytes(), over.stdout().length(), "kept up to maxOutputBytes, the rest dropped");
    }

    @Test
    void sleepingForeverIsStoppedAtTheWallTimeout() {
        RunResult r = python("import time\ntime.sleep(10 ** 6)\n", LIMITS.withWallTimeout(Duration.ofMillis(1500)));
        assertTrue(r.timedOut());
        assertEquals("wall", r.limitHit());
    }

    @Test
    void ignoringSigxcpuDoesNotBuyMoreCpu() {
        Limits l = new Limits(Duration.ofSeconds(30), 2, 4 * Limits.GIB, 16, Limits.MIB, 1 << 16);
        RunResult r = python("import signal\nsignal.signal(signal.SIGXCPU, signal.SIG_IGN)\nwhile True:\n    pass\n", l);
        assertFalse(r.timedOut(), "stopped by the CPU limit, not the wall clock");
        assertEquals(128 + 9, r.exitCode(), "SIGKILL at the hard limit");
    }

    @Test
    void theWorkDirIsGoneAfterTheRun() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        String mine = "codellm-sbx-" + ProcessHandle.current().pid() + "-";
        python("open('left.txt', 'w').write('x')\nprint('done')\n", LIMITS);
        try (var s = Files.list(tmp)) {
            // Other runs of this JVM may be in flight in parallel test classes; none may hold our file.
            assertTrue(s.filter(p -> p.getFileName().toString().startsWith(mine))
                    .noneMatch(p -> Files.exists(p.resolve("w/left.txt"))));
        }
    }
}
