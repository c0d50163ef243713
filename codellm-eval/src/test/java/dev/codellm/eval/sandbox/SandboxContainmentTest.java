package dev.codellm.eval.sandbox;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 §1: limits that hold for every process of a run (bubblewrap's init included), the
 * seccomp filter, the run's cgroup, its size-limited work dir, no host path in the mount table,
 * and what a killed JVM left behind.
 */
class SandboxContainmentTest {
    private static BwrapSandbox sandbox;
    private static final Limits FAST = Limits.DEFAULT.withWallTimeout(Duration.ofSeconds(20));

    @BeforeAll
    static void create() {
        sandbox = BwrapSandbox.create();
    }

    private static RunResult python(String code, Limits limits) {
        return sandbox.run(RunRequest.of(List.of("/usr/bin/python3", "main.py"), limits).withFile("main.py", code));
    }

    @Test
    void bubblewrapsInitHasTheSameLimitsAsTheProgram() {
        RunResult r = python("print(open('/proc/1/limits').read())", FAST.withMaxProcesses(32));
        assertEquals(0, r.exitCode(), r.stderr());
        String procs = r.stdout().lines().filter(l -> l.startsWith("Max processes")).findFirst().orElseThrow();
        String cpu = r.stdout().lines().filter(l -> l.startsWith("Max cpu time")).findFirst().orElseThrow();
        String as = r.stdout().lines().filter(l -> l.startsWith("Max address space")).findFirst().orElseThrow();
        assertTrue(procs.matches("Max processes\\s+32\\s+32.*"), procs);
        assertFalse(cpu.contains("unlimited"), cpu);
        assertFalse(as.contains("unlimited"), as);
    }

    /** The takeover: attach to PID 1 (same uid) to make it exec something without limits. */
    @Test
    void ptraceOfTheInitAndTheOtherDeniedCallsFailWithEperm() {
        String calls = SeccompFilter.X86_64.entrySet().stream()
                .filter(e -> List.of("ptrace", "process_vm_readv", "perf_event_open", "keyctl", "bpf", "userfaultfd", "mount",
                        "unshare", "setns", "kexec_load", "init_module", "io_uring_setup").contains(e.getKey()))
                .map(e -> "('" + e.getKey() + "', " + e.getValue() + ")").collect(Collectors.joining(", "));
        assumeTrue(System.getProperty("os.arch").equals("amd64"), "the numbers below are x86_64's");
        RunResult r = python("import ctypes, os\n"
                + "libc = ctypes.CDLL(None, use_errno=True)\n"
                + "libc.syscall.restype = ctypes.c_long\n"
                + "# PTRACE_ATTACH=16 on pid 1 first: the real attack\n"
                + "for name, nr in [" + calls + "]:\n"
                + "    args = (16, 1, 0, 0) if name == 'ptrace' else (0, 0, 0, 0)\n"
                + "    rc = libc.syscall(nr, *[ctypes.c_long(a) for a in args])\n"
                + "    print(name, rc, ctypes.get_errno())\n", FAST);
        assertEquals(0, r.exitCode(), r.stderr());
        List<String> lines = r.stdout().lines().toList();
        assertEquals(12, lines.size(), r.stdout());
        for (String l : lines) assertTrue(l.endsWith(" -1 1"), "not EPERM: " + l);
    }

    @Test
    void fortyEightChildrenUnderALimitOf32GetEagain() {
        RunResult r = python("import os, time, errno\nn = 0\ntry:\n    for _ in range(48):\n        if os.fork() == 0:\n"
                + "            time.sleep(3); os._exit(0)\n        n += 1\n    print('all forked')\n"
                + "except OSError as e:\n    print('EAGAIN' if e.errno == errno.EAGAIN else e.errno, n)\n", FAST.withMaxProcesses(32));
        assertTrue(r.stdout().startsWith("EAGAIN"), r.stdout() + r.stderr());
        assertTrue(Integer.parseInt(r.stdout().strip().split(" ")[1]) < 32, r.stdout());
    }

    /** rlimits are per process: four of 384 MiB each fit under 512 MiB of address space; the run's 1 GiB does not. */
    @Test
    void memoryIsLimitedForTheWholeRunNotPerProcess() {
        assumeTrue(sandbox.hasCgroups(), "no cgroup here: only rlimits apply (" + sandbox.describe() + ")");
        RunResult r = python("import os, time\nkids = []\nfor i in range(4):\n    pid = os.fork()\n    if pid == 0:\n"
                + "        b = b'\\x01' * (384 * 1024 * 1024)\n        time.sleep(2)\n        os._exit(0)\n    kids.append(pid)\n"
                + "ok = sum(1 for k in kids if os.waitpid(k, 0)[1] == 0)\nprint('held', ok)\n",
                FAST.withAddressSpace(512 * Limits.MIB).withMemory(Limits.GIB));
        assertTrue(r.stdout().startsWith("held ") || r.exitCode() != 0, r.stdout() + r.stderr());
        assertNotEquals("held 4\n", r.stdout(), "all four got their memory: no limit on the run as a whole");
        assertEquals("memory", r.limitHit(), r.stdout() + r.stderr());
    }

    @Test
    void theWorkDirIsSizeLimitedNotTheHostDisk() {
        RunResult r = python("n = 0\ntry:\n    for i in range(24):\n        open('f%d' % i, 'wb').write(b'x' * (16 << 20)); n += 1\n"
                + "except OSError as e:\n    print('stopped', e.errno, n)\nelse:\n    print('wrote', n)\n",
                FAST.withWorkDir(128 * Limits.MIB));
        assertTrue(r.stdout().startsWith("stopped 28 "), "ENOSPC expected: " + r.stdout() + r.stderr());
        assertTrue(Integer.parseInt(r.stdout().strip().split(" ")[2]) <= 8, r.stdout());
    }

    @Test
    void theMountTableShowsNoHostPath() {
        RunResult r = python("print(open('/proc/self/mountinfo').read())", FAST);
        assertEquals(0, r.exitCode(), r.stderr());
        String tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().toString();
        assertFalse(r.stdout().contains("codellm-sbx"), r.stdout());
        assertFalse(r.stdout().lines().anyMatch(l -> l.split(" ").length > 4 && l.split(" ")[3].startsWith(tmp + "/")), r.stdout());
    }

    @Test
    void theSeccompDescriptorIsNotLeftOpenForTheProgram() {
        RunResult r = python("import os\nprint(sorted(int(f) for f in os.listdir('/proc/self/fd')))", FAST);
        assertEquals(0, r.exitCode(), r.stderr());
        assertFalse(r.stdout().contains("9"), r.stdout());
    }

    @Test
    void directoriesOfAKilledJvmAreRemovedAtTheNextStart() throws Exception {
        Path tmp = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "stale");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path stale = tmp.resolve("codellm-sbx-" + gone.pid() + "-123");
        Files.createDirectories(stale.resolve("w/sub"));
        Files.writeString(stale.resolve("w/sub/program.py"), "x");
        Path live = tmp.resolve("codellm-sbx-" + ProcessHandle.current().pid() + "-456");
        Files.createDirectories(live);
        Path other = Files.createDirectory(tmp.resolve("codellm-sbx-notours"));
        assertEquals(1, BwrapSandbox.removeStaleDirs(tmp));
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(live), "a running JVM's directory is left alone");
        assertTrue(Files.exists(other));
    }

    @Test
    void theReportSaysWhatHolds() {
        String d = sandbox.describe();
        assertTrue(d.contains("seccomp"), d);
        assertTrue(d.contains(sandbox.hasCgroups() ? "leaf per run" : "only per-process rlimits"), d);
    }
}
