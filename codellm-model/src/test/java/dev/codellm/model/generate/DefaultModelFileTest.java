package dev.codellm.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.CodellmException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultModelFileTest {
    @Test
    void extractsOnceUnderAContentHashName(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("cp");
        Path res = root.resolve(DefaultModelFile.RESOURCE);
        Files.createDirectories(res.getParent());
        byte[] content = "GGUF fake model bytes".getBytes();
        Files.write(res, content);
        try (URLClassLoader cl = new URLClassLoader(new URL[] {root.toUri().toURL()}, null)) {
            Path cache = tmp.resolve("cache");
            Path a = DefaultModelFile.extract(cl, cache);
            Path b = DefaultModelFile.extract(cl, cache);
            assertEquals(a, b);
            assertArrayEquals(content, Files.readAllBytes(a));
            // sha256("GGUF fake model bytes") computed independently with sha256sum, first 16 hex digits
            assertEquals("default-model-823dd8c80f0f45ba.gguf", a.getFileName().toString());
            try (var files = Files.list(cache)) {
                assertEquals(1, files.count()); // no leftover .part files
            }
        }
    }

    @Test
    void missingResourceIsAClearError(@TempDir Path tmp) throws Exception {
        try (URLClassLoader cl = new URLClassLoader(new URL[] {tmp.toUri().toURL()}, null)) {
            var e = assertThrows(CodellmException.class, () -> DefaultModelFile.extract(cl, tmp.resolve("c")));
            assertTrue(e.getMessage().startsWith("no default model is bundled in this build"), e.getMessage());
        }
    }
}
