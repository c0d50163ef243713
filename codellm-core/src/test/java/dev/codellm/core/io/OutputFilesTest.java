package dev.codellm.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFilesTest {
    @TempDir Path dir;

    /** Before: GGUFs, eval_results.json and pass_at_k.json came out 0600 (Files.createTempFile's mode, kept by the rename). */
    @Test
    void writtenFilesHaveThePermissionsOfPlainFiles() throws Exception {
        Set<PosixFilePermission> plain = Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain")));
        assumeTrue(plain.contains(PosixFilePermission.OTHERS_READ), "a umask that hides files from others");
        Path target = dir.resolve("sub/results.json");
        OutputFiles.writeAtomically(target, "{}");
        assertEquals("{}", Files.readString(target));
        assertEquals(PosixFilePermissions.toString(plain), PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));

        Path gguf = dir.resolve("m.gguf");
        Path tmp = OutputFiles.temporarySibling(gguf);
        Files.writeString(tmp, "GGUF");
        OutputFiles.replace(tmp, gguf);
        assertEquals("GGUF", Files.readString(gguf));
        assertEquals(PosixFilePermissions.toString(plain), PosixFilePermissions.toString(Files.getPosixFilePermissions(gguf)));
        try (var s = Files.list(dir)) {
            assertEquals(3, s.count(), "plain, sub/ and m.gguf: no temporary file left behind");
        }
    }
}
