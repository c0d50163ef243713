package dev.codellm.train;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs a reference script from test resources with Debian's /usr/bin/python3 (which has numpy). */
final class ReferencePython {
    static final Path PYTHON = Path.of("/usr/bin/python3");

    static JsonNode run(String resource, Path dir) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(PYTHON), "needs /usr/bin/python3 with numpy");
        Path script = dir.resolve(Path.of(resource).getFileName().toString());
        try (InputStream in = ReferencePython.class.getResourceAsStream("/dev/codellm/train/" + resource)) {
            Files.copy(in, script);
        }
        Process p = new ProcessBuilder(PYTHON.toString(), script.toString(), dir.toString())
                .redirectError(dir.resolve("stderr.txt").toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("reference failed: " + Files.readString(dir.resolve("stderr.txt")));
        }
        return new ObjectMapper().readTree(out);
    }
}
