package dev.codellm.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the process that owns a leftover (a temporary file, a sandbox directory, a cgroup leaf
 * named after its pid) still runs. A process killed with SIGKILL stays a zombie until its parent
 * reaps it, and the JDK counts a zombie as present and alive ({@link ProcessHandle#isAlive}), so
 * a run started right after a {@code kill -9} would keep the dead run's leftovers: found when a
 * quantize rerun at once after killing one left the killed one's 200 MB temporary file.
 */
public final class Pids {
    private Pids() {}

    /** True when {@code pid} is a process that exists and is not a zombie. */
    public static boolean isRunning(long pid) {
        if (ProcessHandle.of(pid).isEmpty()) return false;
        try {
            // /proc/PID/stat: "pid (comm) S ...": the state follows the last ')' (comm may hold any bytes)
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.of(pid).isPresent();  // no /proc (or it went away): what the JDK says
        }
    }
}
