package dev.codellm.eval.sandbox;

import java.time.Duration;

/**
 * Resource limits for one sandboxed run. Applied with {@code prlimit} inside the sandbox
 * (CPU seconds, address space, processes, file size) plus a wall-clock timeout enforced from
 * outside, after which the whole process tree is killed.
 *
 * @param wallTimeout       wall-clock limit; the run is killed and reported as timed out after it
 * @param cpuSeconds        RLIMIT_CPU (SIGKILL/SIGXCPU when exceeded)
 * @param addressSpaceBytes RLIMIT_AS per process (huge allocations fail with MemoryError)
 * @param maxProcesses      RLIMIT_NPROC (fork bombs fail with EAGAIN); counts threads too
 * @param maxFileBytes      RLIMIT_FSIZE: largest file any process may write (stdout/stderr included)
 * @param maxOutputBytes    how much of stdout/stderr is read back (the rest is dropped)
 */
public record Limits(Duration wallTimeout, int cpuSeconds, long addressSpaceBytes, int maxProcesses,
                     long maxFileBytes, int maxOutputBytes) {

    public static final long GIB = 1024L * 1024 * 1024;
    public static final long MIB = 1024L * 1024;

    /** Suits one Python test run: 10 s, 4 GiB (as EvalPlus), 32 processes, 16 MiB files. */
    public static final Limits DEFAULT = new Limits(Duration.ofSeconds(10), 10, 4 * GIB, 32, 16 * MIB, 1 << 20);

    public Limits {
        if (wallTimeout == null || wallTimeout.isNegative() || wallTimeout.isZero()) throw new IllegalArgumentException("wall timeout must be > 0");
        if (cpuSeconds <= 0 || addressSpaceBytes <= 0 || maxProcesses <= 0 || maxFileBytes <= 0 || maxOutputBytes <= 0) {
            throw new IllegalArgumentException("limits must be > 0: " + this);
        }
    }

    /** The same limits with another wall timeout; CPU time follows it (rounded up, +1 s). */
    public Limits withWallTimeout(Duration d) {
        int cpu = (int) Math.max(1, (d.toMillis() + 999) / 1000 + 1);
        return new Limits(d, cpu, addressSpaceBytes, maxProcesses, maxFileBytes, maxOutputBytes);
    }

    public Limits withAddressSpace(long bytes) {
        return new Limits(wallTimeout, cpuSeconds, bytes, maxProcesses, maxFileBytes, maxOutputBytes);
    }

    public Limits withMaxProcesses(int n) {
        return new Limits(wallTimeout, cpuSeconds, addressSpaceBytes, n, maxFileBytes, maxOutputBytes);
    }

    public Limits withMaxFileBytes(long n) {
        return new Limits(wallTimeout, cpuSeconds, addressSpaceBytes, maxProcesses, n, maxOutputBytes);
    }
}
