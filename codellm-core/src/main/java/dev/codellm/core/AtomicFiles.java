package dev.codellm.core;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files users keep (GGUFs, results, downloads) are written to a temporary sibling and renamed over
 * the target, so no reader (and no kill -9) ever leaves half a file under the real name. The
 * sibling is created {@code rw-r--r--} less the umask, as any plainly created file: the JDK's
 * {@code Files.createTempFile} makes it {@code 0600}, and the rename would keep that.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** A new empty file next to {@code target} (same directory, so the final rename is atomic). */
    public static Path tempSibling(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        String prefix = "." + target.getFileName() + ".";
        try {
            return Files.createTempFile(dir, prefix, ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        } catch (UnsupportedOperationException notPosix) {
            return Files.createTempFile(dir, prefix, ".tmp");
        }
    }

    /** Renames {@code tmp} over {@code target} (atomically where the file system can). */
    public static void replace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Writes {@code data} to {@code target} atomically. */
    public static void write(Path target, byte[] data) throws IOException {
        Path tmp = tempSibling(target);
        try {
            Files.write(tmp, data);
            replace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
