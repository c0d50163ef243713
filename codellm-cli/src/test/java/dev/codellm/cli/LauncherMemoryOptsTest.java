package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's heap limits (issue 21 §4: without them the JVM took a quarter of RAM and grew its
 * young generation to 1.4 GB under load with a 25 MB live set): {@code scripts/memory-opts.sh},
 * which {@code ./codellm} sources, run by bash on its own. Inference commands get 64 MiB + 1/32 of
 * the model file, at least 192 MiB (a 256-row prompt chunk of a 7B-shaped model and the live set:
 * 96 MiB made a 4-layer 7B-shaped file collect in a loop) and at most a quarter of the machine's
 * memory; others none.
 */
class LauncherMemoryOptsTest {
    static final Path SCRIPT = Path.of("..", "scripts", "memory-opts.sh").toAbsolutePath().normalize();
    @TempDir Path tmp;

    private static String opts(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", ". \"$0\"; codellm_memory_opts \"$@\"", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    private static long heapMib(String opts) {
        Matcher m = Pattern.compile("-Xmx(\\d+)m").matcher(opts);
        assertTrue(m.find(), "a heap limit in: " + opts);
        return Long.parseLong(m.group(1));
    }

    private static long quarterOfRamMib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("\\D", "")) / 4096;
        }
        throw new AssertionError("no MemTotal");
    }

    private Path sparseModel(long bytes) throws IOException {
        Path f = tmp.resolve("model-" + bytes + ".gguf");
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(bytes);
        }
        return f;
    }

    @Test
    void servingAModelGetsAHeapOfItsSizeOver32PlusSixtyFourMib() throws Exception {
        Path big = sparseModel(8L << 30); // 8 GiB: 64 + 256 MiB
        long expected = Math.min(64 + 256, quarterOfRamMib());
        assertEquals(expected, heapMib(opts("serve", "--model", big.toString(), "--parallel", "4")));
        assertEquals(expected, heapMib(opts("complete", "--model=" + big, "-p", "x")));
        assertEquals(expected, heapMib(opts("bench", "-m", big.toString())));
        assertTrue(opts("serve", "-m", big.toString()).contains("-XX:MaxDirectMemorySize="), "native memory for the KV caches");
    }

    @Test
    void aSmallOrNoModelGetsTheFloorAndOtherCommandsNoLimit() throws Exception {
        assertEquals(Math.min(192, quarterOfRamMib()), heapMib(opts("serve", "--model", sparseModel(100L << 20).toString())));
        assertEquals(Math.min(192, quarterOfRamMib()), heapMib(opts("serve", "--model", sparseModel(576L << 20).toString())));
        assertEquals(Math.min(192, quarterOfRamMib()), heapMib(opts("chat")));
        assertEquals(768, heapMib(opts("convert", "hf-dir", "out.gguf")));
        assertEquals("", opts("eval", "--dataset", "humaneval"));
    }
}
