package dev.codellm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir Path dir;

    /** Before: GGUFs, eval_results.json and pass_at_k.json came out 0600 (Files.createTempFile's mode, kept by the rename). */
    @Test
    void writtenFilesAreReadableByOthersAsPlainFilesAre() throws Exception {
        Set<PosixFilePermission> plain = Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain")));
        assumeTrue(plain.contains(PosixFilePermission.OTHERS_READ), "a umask that hides files from others");
        Path target = dir.resolve("sub/results.json");
        AtomicFiles.write(target, "{}".getBytes());
        assertEquals("{}", Files.readString(target));
        Set<PosixFilePermission> expected = PosixFilePermissions.fromString("rw-r--r--");
        expected.retainAll(plain); // whatever the umask takes from a plain file, it takes from ours
        assertEquals(PosixFilePermissions.toString(expected), PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        AtomicFiles.write(target, "{\"a\":1}".getBytes());
        assertEquals("{\"a\":1}", Files.readString(target), "replaces");
        try (var s = Files.list(target.getParent())) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
    }
}
