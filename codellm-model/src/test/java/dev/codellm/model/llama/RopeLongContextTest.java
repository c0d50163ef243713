package dev.codellm.model.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RoPE angles at long positions (to 100k, Code Llama's θ = 1e6 and head size 128) against
 * rope_reference.py, ggml's formulas in float64: no scaling, linear and YaRN. Precision is what
 * breaks first at long positions: an inverse frequency rounded to float32 is off by up to 6e-8
 * relative, which at position 100,000 turns the fastest pairs by ~4e-3 rad; the table must stay
 * within float32 rounding of cos/sin instead.
 */
class RopeLongContextTest {
    static final List<Integer> POSITIONS = List.of(0, 1, 4095, 4097, 8191, 16383, 16384, 65535, 100000);

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"none, 1, 0", "linear, 4, 0", "yarn, 4, 16384", "yarn, 8, 4096"})
    void tableMatchesGgmlFormulasInFloat64(String type, float factor, int origCtx) throws Exception {
        int dims = 128;
        RopeScaling s = switch (type) {
            case "linear" -> new RopeScaling(RopeScaling.Type.LINEAR, factor, origCtx);
            case "yarn" -> new RopeScaling(RopeScaling.Type.YARN, factor, origCtx);
            default -> RopeScaling.NONE;
        };
        LlamaConfig c = new LlamaConfig(4096, 1, 32, 32, 11008, 32016, 16384, 1e-5f, 1e6f, dims, s, false);
        Files.writeString(dir.resolve("rope.json"), String.format(Locale.ROOT,
                "{\"dims\": %d, \"theta\": 1000000.0, \"scaling\": {\"type\": \"%s\", \"factor\": %s, \"orig_ctx\": %d}, \"positions\": %s}",
                dims, type, Float.toString(factor), origCtx, POSITIONS));
        Path script = NumpyReference.copyScript(dir, "llama/rope_reference.py");
        NumpyReference.run(60, script.toString(), dir.toString());
        List<String> lines = Files.readAllLines(dir.resolve("rope.txt"));
        Rope rope = new Rope(c);
        double worst = 0;
        for (int k = 0; k < POSITIONS.size(); k++) {
            double[] ref = Arrays.stream(lines.get(k).trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
            float[] ours = rope.table(POSITIONS.get(k));
            assertEquals(ref.length, ours.length);
            for (int i = 0; i < ref.length; i++) {
                double err = Math.abs(ours[i] - ref[i]);
                worst = Math.max(worst, err);
                assertTrue(err < 2e-6, type + " position " + POSITIONS.get(k) + " element " + i + ": " + ours[i] + " vs " + ref[i]);
            }
        }
        System.out.printf("rope %s x%s: worst |table - float64| %.2e%n", type, factor, worst);
    }
}
