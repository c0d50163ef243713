package dev.codellm.eval.sandbox;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21 §1: where cgroup v2 is delegated, each run gets a leaf under
 * {@code <current cgroup>/codellm-sandbox/} with memory.max, pids.max and cpu.max; where it is not,
 * the reason is given (the run report says "NO cgroup (...)"). The CI machines have cgroup v1
 * only, so here the v2 path is checked on a file tree shaped like the kernel's (what the code
 * writes and reads); the sandbox tests ran live on a pure cgroup v2 host on 2026-12-04
 * (docs/sandbox.md), which is where a group with the memory controller alone was found.
 */
class CgroupLeafTest {
    @TempDir
    Path root;

    private Path v2Tree(String controllers) throws IOException {
        Path current = root.resolve("user.slice/app.scope");
        Files.createDirectories(current);
        Files.writeString(root.resolve("cgroup.controllers"), controllers);
        Files.writeString(current.resolve("cgroup.controllers"), controllers);
        Files.writeString(current.resolve("cgroup.subtree_control"), "");
        Path self = root.resolve("self-cgroup");
        Files.writeString(self, "0::/user.slice/app.scope\n");
        return self;
    }

    @Test
    void aDelegatedV2GroupGetsALeafPerRunWithMemoryPidsAndCpuLimits() throws IOException {
        Path self = v2Tree("cpuset cpu io memory hugetlb pids rdma misc");
        CgroupLeaf.Support s = CgroupLeaf.detect(root, self);
        assertTrue(s.available(), s.why());
        assertEquals("cgroup v2", s.why());
        Path parent = root.resolve("user.slice/app.scope/codellm-sandbox");
        assertEquals(parent, s.v2Parent().orElseThrow());
        assertTrue(Files.readString(root.resolve("user.slice/app.scope/cgroup.subtree_control")).contains("+memory +pids +cpu"));
        assertTrue(Files.readString(parent.resolve("cgroup.subtree_control")).contains("+memory +pids +cpu"));

        Limits lim = Limits.DEFAULT.withWallTimeout(Duration.ofSeconds(5)).withMemory(Limits.GIB).withMaxProcesses(32);
        CgroupLeaf leaf = s.create("run-1-0-1", lim).orElseThrow();
        Path dir = parent.resolve("run-1-0-1");
        assertEquals(Long.toString(Limits.GIB), Files.readString(dir.resolve("memory.max")));
        assertEquals("0", Files.readString(dir.resolve("memory.swap.max")));
        assertEquals(Integer.toString(32 + CgroupLeaf.LAUNCHER_PROCESSES), Files.readString(dir.resolve("pids.max")));
        assertEquals("200000 100000", Files.readString(dir.resolve("cpu.max")), "2 CPUs");
        assertEquals(dir.resolve("cgroup.procs"), leaf.procsFiles().get(0), "the launcher joins the leaf before bwrap starts");

        assertFalse(leaf.memoryLimitHit());
        Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
        Files.writeString(dir.resolve("pids.events"), "max 2\n");
        Files.writeString(dir.resolve("memory.peak"), "123456\n");
        assertTrue(leaf.memoryLimitHit(), "the kernel's oom_kill counter names the memory limit");
        assertTrue(leaf.processLimitHit());
        assertEquals(123456, leaf.peakMemoryBytes());
    }

    /** A container's group may be given memory alone (seen live): the run still gets its whole-run memory limit. */
    @Test
    void aV2GroupWithMemoryAloneStillGetsTheMemoryLimit() throws IOException {
        Path self = v2Tree("memory");
        CgroupLeaf.Support s = CgroupLeaf.detect(root, self);
        assertTrue(s.available(), s.why());
        assertEquals("cgroup v2 without pids,cpu", s.why());
        Path parent = root.resolve("user.slice/app.scope/codellm-sandbox");
        assertEquals("+memory", Files.readString(parent.resolve("cgroup.subtree_control")), "only what is offered: +pids would fail the write");

        CgroupLeaf leaf = s.create("run-1-0-2", Limits.DEFAULT.withMemory(Limits.GIB)).orElseThrow();
        Path dir = parent.resolve("run-1-0-2");
        assertEquals(Long.toString(Limits.GIB), Files.readString(dir.resolve("memory.max")));
        assertFalse(Files.exists(dir.resolve("pids.max")));
        assertFalse(Files.exists(dir.resolve("cpu.max")));
        assertEquals(java.util.List.of(dir.resolve("cgroup.procs")), leaf.procsFiles());
        assertFalse(leaf.processLimitHit());
    }

    @Test
    void withoutTheControllersTheReasonIsGiven() throws IOException {
        Path self = v2Tree("cpuset io");
        CgroupLeaf.Support s = CgroupLeaf.detect(root, self);
        assertFalse(s.available());
        assertTrue(s.why().startsWith("cgroup v2 not delegated (memory controller not available"), s.why());
    }

    @Test
    void leavesOfADeadJvmAreRemovedAndALiveOnesKept() throws IOException {
        Path self = v2Tree("cpu memory pids");
        Path parent = root.resolve("user.slice/app.scope/codellm-sandbox");
        long dead = ProcessHandle.current().pid();
        while (ProcessHandle.of(++dead).isPresent()) { }
        Files.createDirectories(parent.resolve("run-" + dead + "-0-1"));
        Path mine = Files.createDirectories(parent.resolve("run-" + ProcessHandle.current().pid() + "-0-1"));
        assertTrue(CgroupLeaf.detect(root, self).available());
        assertFalse(Files.exists(parent.resolve("run-" + dead + "-0-1")), "the kernel leaves a killed run's leaf empty: removed");
        assertTrue(Files.exists(mine));
    }
}
