package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.llama.ModelShape;
import dev.codellm.model.llama.SyntheticGguf;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code codellm quantize} through Main: the summary line, the written file, one-line errors. */
class QuantizeCommandTest {
    @TempDir Path dir;

    @Test
    void quantizesAndSaysSizesAndBitsPerWeight() throws Exception {
        Path in = dir.resolve("f16.gguf"), out = dir.resolve("q8.gguf");
        SyntheticGguf.write(in, ModelShape.parse("tiny"), GgmlType.F16, 0, 3);
        CliRun r = CliRun.of("quantize", in.toString(), out.toString(), "q8_0", "--threads", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("-> " + out) && r.out().contains("bits/weight") && r.out().contains("Q8_0"), r.out());
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals(7, f.getInt("general.file_type"));
        }
    }

    @Test
    void badInputIsOneLine() throws Exception {
        Path in = dir.resolve("f16.gguf");
        SyntheticGguf.write(in, ModelShape.parse("tiny"), GgmlType.F16, 0, 3);
        CliRun badType = CliRun.of("quantize", in.toString(), dir.resolve("o.gguf").toString(), "q3_xx");
        assertEquals(1, badType.code());
        assertTrue(badType.err().startsWith("codellm: error: unknown type 'q3_xx' (supported: "), badType.err());
        Path junk = dir.resolve("junk.gguf");
        Files.writeString(junk, "not a gguf");
        CliRun notGguf = CliRun.of("quantize", junk.toString(), dir.resolve("o.gguf").toString(), "q4_0");
        assertEquals(1, notGguf.code());
        assertEquals(1, notGguf.err().strip().lines().count(), notGguf.err());
        assertTrue(!Files.exists(dir.resolve("o.gguf")));
    }
}
