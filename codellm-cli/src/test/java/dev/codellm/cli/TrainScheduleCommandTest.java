package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code codellm train}'s warm-up follows --steps: before, a fixed 50-step warm-up kept short runs below --lr. */
class TrainScheduleCommandTest {
    @TempDir Path dir;

    private double peakLr(Path out) throws Exception {
        ObjectMapper om = new ObjectMapper();
        double max = 0;
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) max = Math.max(max, om.readTree(line).get("lr").asDouble());
        return max;
    }

    @Test
    void aShortRunReachesItsPeakRateAndALongWarmupIsFlagged() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        for (int i = 0; i < 4; i++) Files.writeString(src.resolve("m" + i + ".py"), "def f%d(x):\n    return x * %d\n".formatted(i, i).repeat(6));
        String[] common = {"train", "--data", src.toString(), "--steps", "6", "--dim", "16", "--layers", "1", "--heads", "2", "--ffn", "32",
                "--seq-len", "16", "--batch", "1", "--vocab-merges", "40", "--threads", "1", "--lr", "1e-3"};
        CliRun r = CliRun.of(concat(common, "--out", dir.resolve("a").toString()));
        assertEquals(0, r.code(), r.err());
        assertEquals(1e-3, peakLr(dir.resolve("a")), 1e-12);
        CliRun longWarmup = CliRun.of(concat(common, "--warmup", "50", "--out", dir.resolve("b").toString()));
        assertEquals(0, longWarmup.code(), longWarmup.err());
        assertTrue(peakLr(dir.resolve("b")) < 2e-4);
    }

    private static String[] concat(String[] a, String... b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
