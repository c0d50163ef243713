package dev.codellm.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import org.junit.jupiter.api.Test;

class PidsTest {
    @Test
    void thisJvmRunsAFinishedChildDoesNot() throws Exception {
        assertTrue(Pids.isRunning(ProcessHandle.current().pid()));
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        assertFalse(Pids.isRunning(p.pid()));
    }

    /** A zombie (killed, not yet reaped) is present and alive to the JDK; it is not running. */
    @Test
    void aZombieIsNotRunning() throws Exception {
        // sh starts a short child, then becomes a sleep that never reaps it
        Process p = new ProcessBuilder("sh", "-c", "sleep 0 & echo $!; exec sleep 5").start();
        try {
            long pid = Long.parseLong(new BufferedReader(new InputStreamReader(p.getInputStream())).readLine().strip());
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (Pids.isRunning(pid) && System.nanoTime() < deadline) Thread.sleep(20);
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the JDK still sees the zombie as alive");
            assertFalse(Pids.isRunning(pid));
            assertEquals("Z", stateOf(pid));
        } finally {
            p.destroyForcibly();
        }
    }

    private static String stateOf(long pid) throws Exception {
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    }
}
