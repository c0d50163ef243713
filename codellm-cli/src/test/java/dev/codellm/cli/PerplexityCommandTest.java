package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.SharedData;
import dev.codellm.core.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code codellm perplexity} through Main on stories260K: both methods' JSON, --by-position files, one-line errors. */
class PerplexityCommandTest {
    static final Path MODEL = SharedData.require("models/stories260K/stories260K.gguf");

    @TempDir
    Path dir;

    Path story() throws Exception {
        Path f = dir.resolve("story.txt");
        Files.writeString(f, "Once upon a time, there was a little girl named Lily. She loved to play outside in the sunshine.\n".repeat(12));
        return f;
    }

    @Test
    void bothMethodsAndTheByPositionFiles() throws Exception {
        Path text = story();
        CliRun r = CliRun.of("perplexity", "-m", MODEL.toString(), "--ctx", "64", "-t", "1", "--json", text.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertEquals("llama.cpp", j.path("method").asText());
        long windows = j.path("files").get(0).path("tokens").asLong() / 64;
        assertEquals(windows * 31, j.path("tokens_scored").asLong(), "second half of each window, as llama-perplexity");
        assertTrue(j.path("ppl").asDouble() > 1 && j.path("ppl").asDouble() < 512, r.out());

        Path out = dir.resolve("out");
        CliRun s = CliRun.of("perplexity", "-m", MODEL.toString(), "--method", "sliding", "--ctx", "64", "--stride", "64", "--by-position",
                "--bucket", "16", "-t", "1", "--out", out.toString(), text.toString());
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("Final estimate: PPL = "), s.out());
        JsonNode p = Json.read(out.resolve("perplexity.json"));
        assertEquals(4, p.path("by_position").size());
        assertTrue(Files.readString(out.resolve("by-position.html")).contains("<svg"));
    }

    @Test
    void badInputIsOneLineAndExitOne() throws Exception {
        Path text = story();
        CliRun tooShort = CliRun.of("perplexity", "-m", MODEL.toString(), "--ctx", "4096", text.toString());
        assertEquals(1, tooShort.code());
        assertTrue(tooShort.err().contains("fewer than one window of --ctx 4096") && tooShort.err().strip().lines().count() == 1, tooShort.err());
        CliRun method = CliRun.of("perplexity", "-m", MODEL.toString(), "--method", "hf", text.toString());
        assertTrue(method.code() == 1 && method.err().contains("unknown perplexity method 'hf'"), method.err());
        Path jsonl = dir.resolve("c.jsonl");
        Files.writeString(jsonl, "{\"content\": \"hello\"}\n");
        CliRun field = CliRun.of("perplexity", "-m", MODEL.toString(), jsonl.toString());
        assertTrue(field.code() == 1 && field.err().contains("--field"), field.err());
        CliRun missing = CliRun.of("perplexity", "-m", MODEL.toString(), dir.resolve("nope.txt").toString());
        assertTrue(missing.code() == 1 && missing.err().contains("input not found"), missing.err());
    }
}
