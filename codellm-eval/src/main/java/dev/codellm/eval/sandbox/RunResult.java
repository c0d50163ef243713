package dev.codellm.eval.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What a sandboxed run did.
 *
 * @param exitCode  the exit status (128+signal when killed by a signal, as shells report it); -1 on timeout;
 *                  153 (128 + SIGXFSZ) when stdout or stderr passed {@link Limits#maxFileBytes()} and the run was killed
 * @param stdout    standard output, at most {@link Limits#maxOutputBytes()} bytes
 * @param stderr    standard error, likewise
 * @param timedOut  whether the wall-clock limit was hit and the process tree killed
 * @param wallMillis elapsed wall time
 * @param files     the requested {@link RunRequest#collect()} files that existed after the run
 * @param limitHit  which limit stopped the run, as far as the host can tell: {@code wall},
 *                  {@code cpu}, {@code memory}, {@code processes}, {@code file-size}; null when none
 */
public record RunResult(int exitCode, String stdout, String stderr, boolean timedOut, long wallMillis, Map<String, byte[]> files,
                        String limitHit) {
    public RunResult(int exitCode, String stdout, String stderr, boolean timedOut, long wallMillis, Map<String, byte[]> files) {
        this(exitCode, stdout, stderr, timedOut, wallMillis, files, timedOut ? "wall" : null);
    }

    public boolean ok() { return !timedOut && exitCode == 0; }

    public String fileText(String name) {
        byte[] b = files.get(name);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
