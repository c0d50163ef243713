package dev.codellm.eval.sandbox;

import java.time.Duration;

/**
 * Resource limits for one sandboxed run. The rlimits (CPU seconds, address space, processes,
 * file size) are set before bubblewrap starts, so its init and every process of the run have
 * them; a cgroup (where the machine allows) bounds memory, processes and CPU of the whole run;
 * a wall-clock timeout enforced from outside kills the whole process tree.
 *
 * @param wallTimeout       wall-clock limit; the run is killed and reported as timed out after it
 * @param cpuSeconds        RLIMIT_CPU (SIGKILL/SIGXCPU when exceeded)
 * @param addressSpaceBytes RLIMIT_AS per process (huge allocations fail with MemoryError)
 * @param maxProcesses      RLIMIT_NPROC (fork bombs fail with EAGAIN); counts threads too
 * @param maxFileBytes      RLIMIT_FSIZE: largest file any process may write; also the most stdout or stderr
 *                          (pipes, which RLIMIT_FSIZE does not cover) may carry: one byte more and the JVM kills the run
 * @param maxOutputBytes    how much of stdout/stderr is read back (the rest is dropped)
 * @param memoryBytes       all processes of the run together (cgroup memory.max, tmpfs pages included),
 *                          where the machine gives the run a cgroup
 * @param workDirBytes      size of the tmpfs holding the writable working directory
 * @param cpus              CPU bandwidth of the run (cgroup cpu.max), in CPUs
 */
public record Limits(Duration wallTimeout, int cpuSeconds, long addressSpaceBytes, int maxProcesses,
                     long maxFileBytes, int maxOutputBytes, long memoryBytes, long workDirBytes, double cpus) {

    public static final long GIB = 1024L * 1024 * 1024;
    public static final long MIB = 1024L * 1024;

    /** Suits one Python test run: 10 s, 4 GiB (as EvalPlus), 32 processes, 16 MiB files. */
    public static final Limits DEFAULT = new Limits(Duration.ofSeconds(10), 10, 4 * GIB, 32, 16 * MIB, 1 << 20);

    /** Total memory 4 GiB (EvalPlus's per-process figure, here for the whole run), 256 MiB of work dir, 2 CPUs. */
    public Limits(Duration wallTimeout, int cpuSeconds, long addressSpaceBytes, int maxProcesses, long maxFileBytes, int maxOutputBytes) {
        this(wallTimeout, cpuSeconds, addressSpaceBytes, maxProcesses, maxFileBytes, maxOutputBytes, 4 * GIB, 256 * MIB, 2.0);
    }

    public Limits {
        if (wallTimeout == null || wallTimeout.isNegative() || wallTimeout.isZero()) throw new IllegalArgumentException("wall timeout must be > 0");
        if (cpuSeconds <= 0 || addressSpaceBytes <= 0 || maxProcesses <= 0 || maxFileBytes <= 0 || maxOutputBytes <= 0
                || memoryBytes <= 0 || workDirBytes <= 0 || !(cpus > 0)) {
            throw new IllegalArgumentException("limits must be > 0: " + this);
        }
    }

    /** The same limits with another wall timeout; CPU time follows it (rounded up, +1 s). */
    public Limits withWallTimeout(Duration d) {
        int cpu = (int) Math.max(1, (d.toMillis() + 999) / 1000 + 1);
        return new Limits(d, cpu, addressSpaceBytes, maxProcesses, maxFileBytes, maxOutputBytes, memoryBytes, workDirBytes, cpus);
    }

    public Limits withAddressSpace(long bytes) {
        return new Limits(wallTimeout, cpuSeconds, bytes, maxProcesses, maxFileBytes, maxOutputBytes, memoryBytes, workDirBytes, cpus);
    }

    public Limits withMaxProcesses(int n) {
        return new Limits(wallTimeout, cpuSeconds, addressSpaceBytes, n, maxFileBytes, maxOutputBytes, memoryBytes, workDirBytes, cpus);
    }

    public Limits withMaxFileBytes(long n) {
        return new Limits(wallTimeout, cpuSeconds, addressSpaceBytes, maxProcesses, n, maxOutputBytes, memoryBytes, workDirBytes, cpus);
    }

    public Limits withMemory(long bytes) {
        return new Limits(wallTimeout, cpuSeconds, addressSpaceBytes, maxProcesses, maxFileBytes, maxOutputBytes, bytes, workDirBytes, cpus);
    }

    public Limits withWorkDir(long bytes) {
        return new Limits(wallTimeout, cpuSeconds, addressSpaceBytes, maxProcesses, maxFileBytes, maxOutputBytes, memoryBytes, bytes, cpus);
    }
}
