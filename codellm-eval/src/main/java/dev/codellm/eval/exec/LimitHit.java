package dev.codellm.eval.exec;

import dev.codellm.eval.sandbox.Limits;
import dev.codellm.eval.sandbox.RunResult;
import java.util.Locale;

/**
 * Which limit stopped a sample, so the report can say it (issue 21: a failure says which limit it
 * hit) and a reader can tell "too slow" from "too big" from "wrong": {@code cpu} (the harness's
 * per-test CPU timer, or RLIMIT_CPU), {@code wall} (the sandbox's wall clock: a sample that
 * blocks), {@code memory} (MemoryError at the address-space limit, or the run's cgroup), {@code
 * processes}, {@code file-size}.
 */
final class LimitHit {
    static final String CPU = "cpu", WALL = "wall", MEMORY = "memory";

    private LimitHit() {}

    /** From a harness error line: its timeout flag, or a MemoryError. */
    static String ofError(String error, boolean timeout) {
        if (timeout) return CPU;
        if (error != null && error.startsWith("MemoryError")) return MEMORY;
        return null;
    }

    /** What the sandbox saw: the wall clock, or a limit the kernel enforced. */
    static String ofRun(RunResult r) {
        return r.timedOut() ? WALL : r.limitHit();
    }

    /** The limit with its value, e.g. "memory limit: 4.0 GiB address space per process, 4.0 GiB for the run". */
    static String describe(String hit, Limits lim, double cpuSeconds) {
        if (hit == null) return null;
        return switch (hit) {
            case CPU -> String.format(Locale.ROOT, "CPU limit of %.2f s", cpuSeconds);
            case WALL -> "wall-clock limit of " + lim.wallTimeout().toSeconds() + " s";
            case MEMORY -> "memory limit: " + gib(lim.addressSpaceBytes()) + " address space per process, "
                    + gib(lim.memoryBytes()) + " for the run";
            case "processes" -> "process limit of " + lim.maxProcesses();
            case "file-size" -> "file-size limit of " + gib(lim.maxFileBytes());
            default -> hit + " limit";
        };
    }

    private static String gib(long bytes) {
        return bytes >= Limits.GIB ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) Limits.GIB)
                : String.format(Locale.ROOT, "%d MiB", bytes / Limits.MIB);
    }
}
