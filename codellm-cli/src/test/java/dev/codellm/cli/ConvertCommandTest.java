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

/** {@code codellm convert} through Main: GGUF → HF (--to hf) → GGUF in a K-quant mix, and one-line errors. */
class ConvertCommandTest {
    @TempDir Path dir;

    @Test
    void exportsAndConvertsBack() throws Exception {
        Path gguf = dir.resolve("tiny.gguf"), hf = dir.resolve("tiny-hf"), q = dir.resolve("tiny-q4km.gguf");
        SyntheticGguf.write(gguf, ModelShape.parse("tiny"), GgmlType.F16, 0, 2);
        CliRun export = CliRun.of("convert", gguf.toString(), hf.toString(), "--to", "hf");
        assertEquals(0, export.code(), export.err());
        assertTrue(export.out().contains("tokenizer.model") && Files.isRegularFile(hf.resolve("model.safetensors")), export.out());
        CliRun back = CliRun.of("convert", hf.toString(), q.toString(), "--type", "q4_k_m", "--name", "tiny coder", "--threads", "2");
        assertEquals(0, back.code(), back.err());
        assertTrue(back.out().contains("-> " + q) && back.out().contains("q4_k_m") && back.out().contains("bits/weight"), back.out());
        try (GgufFile f = GgufFile.open(q)) {
            assertEquals("tiny coder", f.getString("general.name"));
            assertEquals(15, f.getInt("general.file_type"));
            assertEquals(GgmlType.Q6_K, f.tensor("output.weight").type());
        }
    }

    @Test
    void badInputIsOneLine() throws Exception {
        CliRun missing = CliRun.of("convert", dir.resolve("nope").toString(), dir.resolve("o.gguf").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().startsWith("codellm: error: ") && missing.err().contains("not a directory"), missing.err());
        CliRun gguf = CliRun.of("convert", dir.resolve("model.gguf").toString(), dir.resolve("o.gguf").toString());
        assertTrue(gguf.err().contains("add --to hf"), gguf.err());
        Files.createDirectories(dir.resolve("empty"));
        CliRun empty = CliRun.of("convert", dir.resolve("empty").toString(), dir.resolve("o.gguf").toString());
        assertEquals(1, empty.code());
        assertTrue(empty.err().contains("no config.json"), empty.err());
        assertEquals(1, empty.err().strip().lines().count());
        CliRun to = CliRun.of("convert", dir.resolve("empty").toString(), dir.resolve("o").toString(), "--to", "onnx");
        assertEquals(1, to.code());
        assertTrue(to.err().contains("--to must be gguf or hf"), to.err());
    }
}
