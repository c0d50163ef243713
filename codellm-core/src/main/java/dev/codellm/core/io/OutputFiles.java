package dev.codellm.core.io;

import dev.codellm.core.CodellmException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Result files a user keeps (reports, scores, downloads), written whole and then renamed into
 * place, so an interrupted run never leaves a half-written file under the final name. The
 * temporary file is created like any other file (mode from the umask, typically 0644), not with
 * {@code Files.createTempFile}'s 0600.
 */
public final class OutputFiles {
    private OutputFiles() {}

    public static void writeAtomically(Path file, String text) {
        writeAtomically(file, text.getBytes(StandardCharsets.UTF_8));
    }

    public static void writeAtomically(Path file, byte[] content) {
        Path abs = file.toAbsolutePath();
        Path tmp = temporaryName(abs);
        try {
            if (abs.getParent() != null) Files.createDirectories(abs.getParent());
            Files.write(tmp, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original error is the one to report
            }
            throw new CodellmException("cannot write " + file + ": " + e.getMessage());
        }
    }

    /**
     * For files written as a stream (GGUFs): a new empty file beside {@code file}, created like
     * any other file; write it, then {@link #replace} it over {@code file}. Temporary siblings of
     * the same file left by a process that no longer runs (a {@code kill -9} of a quantize or
     * convert leaves gigabytes under a hidden name) are removed first.
     */
    public static Path temporarySibling(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        if (abs.getParent() != null) Files.createDirectories(abs.getParent());
        removeStaleSiblings(abs);
        Path tmp = Files.createFile(temporaryName(abs));
        // a run stopped by SIGTERM / Ctrl-C (shutdown hooks run) removes its half-written file; once
        // renamed by replace the name is gone and this does nothing. SIGKILL still leaves it.
        tmp.toFile().deleteOnExit();
        return tmp;
    }

    /** Renames a {@link #temporarySibling} over its file (atomically where the file system can). */
    public static void replace(Path tmp, Path file) throws IOException {
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** {@code .NAME.PID-RANDOM.tmp}: the writer's pid tells a later run whether its owner is gone. */
    private static Path temporaryName(Path abs) {
        return abs.resolveSibling("." + abs.getFileName() + "." + ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
    }

    /** Deletes {@code .NAME.PID-*.tmp} beside abs whose PID is not a running process. */
    static int removeStaleSiblings(Path abs) {
        Path parent = abs.getParent();
        if (parent == null || !Files.isDirectory(parent)) return 0;
        String prefix = "." + abs.getFileName() + ".";
        int removed = 0;
        try (var siblings = Files.newDirectoryStream(parent, p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && n.endsWith(".tmp");
        })) {
            for (Path p : siblings) {
                String mid = p.getFileName().toString().substring(prefix.length());
                int dash = mid.indexOf('-');
                if (dash <= 0) continue;  // not one of ours (or an older name without a pid)
                try {
                    long pid = Long.parseLong(mid.substring(0, dash));
                    if (!Pids.isRunning(pid) && Files.deleteIfExists(p)) removed++;
                } catch (NumberFormatException | IOException e) {
                    // not ours, or not ours to delete
                }
            }
        } catch (IOException e) {
            // an unreadable directory: nothing to clean, and the write itself will say why it fails
        }
        return removed;
    }
}
