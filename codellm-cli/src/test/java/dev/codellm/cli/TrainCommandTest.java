package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
    @TempDir Path dir;

    @Test
    void exportWritesAnAxolotlRunAndRejectsUnknownFrameworks() throws Exception {
        Path data = dir.resolve("d.jsonl");
        Files.writeString(data, "{\"instruction\":\"Say hi.\",\"output\":\"print('hi')\"}\n");
        CliRun ok = CliRun.of("train", "export", "--framework", "axolotl", "--mode", "qlora", "--data", data.toString(), "--out", dir.resolve("ax").toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(Files.readString(dir.resolve("ax/axolotl.yml")).contains("adapter: qlora"));
        CliRun bad = CliRun.of("train", "export", "--framework", "megatron", "--data", data.toString(), "--out", dir.resolve("x").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().startsWith("codellm: error: --framework must be one of [axolotl, deepspeed, trl, hf]"), bad.err());
    }

    @Test
    void trainWithoutDataIsAOneLineError() {
        CliRun noData = CliRun.of("train", "--out", dir.toString());
        assertEquals(1, noData.code());
        assertEquals("codellm: error: train needs --data and --out (see codellm train --help)", noData.err().strip());
        CliRun missing = CliRun.of("train", "--data", dir.resolve("nope").toString(), "--out", dir.resolve("o").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("not found"), missing.err());
    }

    /** A SentencePiece Llama base fine-tunes from the command line; its lack of FIM tokens is a one-line error. */
    @Test
    void fineTunesASentencePieceBase() throws Exception {
        Path data = Files.createDirectories(dir.resolve("stories"));
        Files.writeString(data.resolve("a.txt"), "Once upon a time, there was a little cat.\n".repeat(40));
        String base = dev.codellm.core.SharedData.require("models/stories260K/stories260K.gguf").toString();
        CliRun fim = CliRun.of("train", "--base", base, "--data", data.toString(), "--extensions", "txt", "--held-out-permille", "0", "--out", dir.resolve("fim").toString());
        assertEquals(1, fim.code());
        assertEquals("codellm: error: the vocabulary has no <PRE>/<SUF>/<MID>/<EOT> tokens for the FIM objective: use --fim-rate 0",
                fim.err().strip().lines().reduce((a, b) -> b).orElseThrow());
        CliRun ok = CliRun.of("train", "--base", base, "--data", data.toString(), "--extensions", "txt", "--held-out-permille", "0", "--fim-rate", "0",
                "--steps", "2", "--seq-len", "16", "--batch", "1", "--threads", "1", "--out", dir.resolve("ft").toString());
        assertEquals(0, ok.code(), ok.err());
        assertEquals(dir.resolve("ft/model.gguf").toString(), ok.out().strip());
        assertTrue(Files.size(dir.resolve("ft/model.gguf")) > 1_000_000);
    }

    /** --json prints the run's figures; they are the ones the run logged in metrics.jsonl. */
    @Test
    void jsonPrintsTheRunsFigures() throws Exception {
        Path data = Files.createDirectories(dir.resolve("stories"));
        Files.writeString(data.resolve("a.txt"), "Once upon a time, there was a little cat.\n".repeat(40));
        String base = dev.codellm.core.SharedData.require("models/stories260K/stories260K.gguf").toString();
        Path out = dir.resolve("js");
        CliRun r = CliRun.of("train", "--base", base, "--data", data.toString(), "--extensions", "txt", "--held-out-permille", "0", "--fim-rate", "0",
                "--steps", "2", "--seq-len", "16", "--batch", "1", "--threads", "1", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        var doc = dev.codellm.core.io.Json.MAPPER.readTree(r.out());
        assertEquals(out.resolve("model.gguf").toString(), doc.get("model").asText());
        assertEquals(2, doc.get("steps").asInt());
        assertEquals(2, doc.get("steps_run").asInt());
        java.util.List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        var last = dev.codellm.core.io.Json.MAPPER.readTree(metrics.get(metrics.size() - 1));
        assertEquals(2, last.get("step").asInt());
        assertEquals(last.get("loss").asDouble(), doc.get("train_loss").asDouble(), 1e-9);
        assertTrue(doc.get("tokens_per_second").asDouble() > 0, r.out());
        assertTrue(doc.has("held_out_loss"), r.out());
    }
}
