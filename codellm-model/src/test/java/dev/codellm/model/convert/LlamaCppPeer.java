package dev.codellm.model.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * llama.cpp's tools for parity tests: {@code $LLAMA_BIN} (default /work/peers/llama.cpp/build/bin,
 * where scripts/perplexity-vs-llama.sh looks too). A test needing one is skipped, saying which and
 * where, when it is not built: CI has no llama.cpp; the always-run numpy checks stand in there.
 */
final class LlamaCppPeer {
    private LlamaCppPeer() {}

    static Path bin() {
        String env = System.getenv("LLAMA_BIN");
        return Path.of(env != null && !env.isBlank() ? env : "/work/peers/llama.cpp/build/bin");
    }

    /** The tool's path, or the test is skipped with the reason. */
    static Path require(String tool) {
        Path p = bin().resolve(tool);
        assumeTrue(Files.isExecutable(p), tool + " not found in " + bin() + " (set LLAMA_BIN to a llama.cpp build/bin to run this parity check)");
        return p;
    }

    /** Runs the tool, failing the test on a non-zero exit; returns its output. */
    static String run(long timeoutSeconds, Path tool, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(tool.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(tool.getFileName() + " timed out");
        }
        String text = new String(out);
        assertEquals(0, p.exitValue(), tool.getFileName() + " failed: " + text);
        return text;
    }
}
