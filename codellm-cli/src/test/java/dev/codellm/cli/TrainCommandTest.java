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
        assertTrue(bad.err().startsWith("codellm: error: --framework must be one of [axolotl, deepspeed]"), bad.err());
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
}
