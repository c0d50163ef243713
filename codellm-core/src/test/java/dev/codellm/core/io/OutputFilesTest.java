package dev.codellm.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
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

    /**
     * A writer killed midway (SIGKILL: no shutdown hook runs) leaves its temporary sibling behind;
     * before, it stayed forever (a 7B quantize killed at 90 % left ~4 GB under a hidden name). The
     * child JVM makes one and halts; the next write of the same file removes it, and leaves a
     * running process's (this JVM's) and another file's alone.
     */
    @Test
    void aKilledWritersTemporaryFileIsRemovedByTheNextWrite() throws Exception {
        Path gguf = dir.resolve("out.gguf");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), KilledWriter.class.getName(), gguf.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(9, p.waitFor(), out);
        Path left;
        try (var s = Files.list(dir)) {
            left = s.filter(f -> f.getFileName().toString().startsWith(".out.gguf.")).findFirst().orElseThrow();
        }
        assertEquals("half", Files.readString(left), "the killed writer's file is there, as SIGKILL leaves it");
        Path mine = OutputFiles.temporarySibling(dir.resolve("other.gguf"));
        Path live = OutputFiles.temporarySibling(gguf);
        assertFalse(Files.exists(left), "removed by the next write of the same file");
        assertTrue(Files.exists(live) && Files.exists(mine), "a running writer's files are kept");
        OutputFiles.temporarySibling(gguf);
        assertTrue(Files.exists(live), "this JVM is alive: its file is kept");
    }

    /** Starts a GGUF write and dies without running shutdown hooks, as kill -9 does. */
    public static final class KilledWriter {
        public static void main(String[] a) throws Exception {
            Path tmp = OutputFiles.temporarySibling(Path.of(a[0]));
            Files.writeString(tmp, "half");
            Runtime.getRuntime().halt(9);
        }
    }
}
