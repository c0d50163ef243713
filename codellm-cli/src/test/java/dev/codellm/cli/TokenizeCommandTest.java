package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.SharedData;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizeCommandTest {

    static String vocab(String name) {
        return SharedData.require("vocab/ggml-vocab-" + name + ".gguf").toString();
    }

    @Test
    void idsFromStdinMatchTheSharedVectors() {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream(" this is 🦙.cpp".getBytes(StandardCharsets.UTF_8)));
            CliRun r = CliRun.of("tokenize", "--ids", "--model", vocab("llama-spm"));
            assertEquals(0, r.code(), r.err());
            assertEquals("29871 445 338 29871 243 162 169 156 29889 8223", r.out().strip()); // line 19 of the .out file
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void piecesAndJson(@TempDir Path tmp) throws Exception {
        CliRun table = CliRun.of("tokenize", "-m", vocab("gpt-2"), "Hello world");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("15496  Hello"), table.out());
        assertTrue(table.out().contains("\" world\""), table.out());
        assertTrue(table.out().strip().endsWith("2 tokens"), table.out());

        Path file = tmp.resolve("in.txt");
        Files.writeString(file, "<|endoftext|>hi");
        CliRun json = CliRun.of("tokenize", "-m", vocab("gpt-2"), "--file", file.toString(), "--json", "--special");
        assertEquals(0, json.code(), json.err());
        JsonNode doc = new ObjectMapper().readTree(json.out());
        assertEquals(50256, doc.get("ids").get(0).asInt());
        assertEquals("<|endoftext|>", doc.get("tokens").get(0).get("text").asText());
        assertEquals(doc.get("count").asInt(), doc.get("tokens").size());
    }

    @Test
    void llamaPromptWithBos() {
        CliRun r = CliRun.of("tokenize", "-m", vocab("llama-spm"), "--ids", "--bos", "I believe the meaning of life is");
        assertEquals("1 306 4658 278 6593 310 2834 338", r.out().strip());
    }

    @Test
    void benchmarkReportsThroughput(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("a.py"), "def f(x):\n    return x * 2\n".repeat(200));
        CliRun r = CliRun.of("tokenize", "-m", vocab("starcoder"), "--bench", tmp.toString(), "--rounds", "2", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals(1, doc.get("files").asInt());
        assertEquals(27 * 200, doc.get("bytes").asLong());
        assertTrue(doc.get("best_mb_per_s").asDouble() > 0);
    }

    @Test
    void badInputGivesOneLine(@TempDir Path tmp) throws Exception {
        CliRun missing = CliRun.of("tokenize", "-m", tmp.resolve("nope.gguf").toString(), "x");
        assertEquals(1, missing.code());
        assertTrue(missing.err().startsWith("codellm: error: GGUF file not found"), missing.err());
        assertEquals(1, missing.err().strip().lines().count());

        Path bad = tmp.resolve("bad.txt");
        Files.write(bad, new byte[] {'a', (byte) 0xC3});
        CliRun notUtf8 = CliRun.of("tokenize", "-m", vocab("gpt-2"), "--file", bad.toString());
        assertEquals(1, notUtf8.code());
        assertTrue(notUtf8.err().contains("is not valid UTF-8"), notUtf8.err());

        Path notGguf = tmp.resolve("x.gguf");
        Files.writeString(notGguf, "hello there, not a model");
        CliRun corrupt = CliRun.of("tokenize", "-m", notGguf.toString(), "x");
        assertEquals(1, corrupt.code());
        assertTrue(corrupt.err().contains("not a GGUF file"), corrupt.err());

        assertEquals(2, CliRun.of("tokenize", "--no-such-option").code());
    }
}
