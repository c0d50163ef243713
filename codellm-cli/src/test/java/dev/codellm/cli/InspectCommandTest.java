package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {

    @Test
    void textShowsSummaryMetadataAndTensors() {
        String model = SharedData.require("models/llama-2-tiny-random/llama-2-tiny-random.gguf").toString();
        CliRun r = CliRun.of("inspect", model);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("parameters               513,048"), r.out());
        assertTrue(r.out().contains("kv heads                 2"), r.out());
        assertTrue(r.out().contains("tokenizer.ggml.tokens"), r.out());
        assertTrue(r.out().contains("(32000 items)"), r.out());
        assertTrue(r.out().matches("(?s).*token_embd\\.weight\\s+F16\\s+\\[8, 32000\\]\\s+512,000.*"), r.out());
    }

    @Test
    void jsonIsMachineReadable() throws Exception {
        CliRun r = CliRun.of("inspect", "--json", SharedData.require("vocab/ggml-vocab-starcoder.gguf").toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("starcoder2", j.at("/summary/architecture").asText());
        assertEquals(49152, j.at("/summary/vocab_size").asInt());
        assertTrue(j.get("supports_infill").asBoolean());
    }

    /** inspect shows the EOT and end-of-generation ids the tokenizer and generation use (llama.cpp's choice). */
    @Test
    void deepseekCoderEotIsEndOfSentenceAsInLlamaCpp() {
        CliRun r = CliRun.of("inspect", "--no-tensors", SharedData.require("vocab/ggml-vocab-deepseek-coder.gguf").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("token EOT                32014 \"<｜end▁of▁sentence｜>\"  [token text]"), r.out());
        assertTrue(r.out().contains("end of generation        32014 \"<｜end▁of▁sentence｜>\"\n"), r.out());
        assertFalse(r.out().contains("32021 \"<|EOT|>\""), r.out());
    }

    @Test
    void badFilesGiveOneLineAndExitOne(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.of("inspect", dir.resolve("missing.gguf").toString());
        assertEquals(1, r.code());
        assertEquals("codellm: error: GGUF file not found: " + dir.resolve("missing.gguf"), r.err().strip());
        Path junk = Files.writeString(dir.resolve("junk.gguf"), "GGUF but not really");
        r = CliRun.of("inspect", junk.toString());
        assertEquals(1, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("bad GGUF file " + junk) && r.err().contains("byte offset"), r.err());
        assertEquals(2, CliRun.of("inspect", "a.gguf", "b.gguf").code());
        assertEquals(2, CliRun.of("inspect", "--items", "-1", junk.toString()).code());
    }
}
