package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
    @TempDir Path dir;

    private int run(StringWriter out, StringWriter err, String... args) {
        return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void exportWritesAnAxolotlRunAndRejectsUnknownFrameworks() throws Exception {
        Path data = dir.resolve("d.jsonl");
        Files.writeString(data, "{\"instruction\":\"Say hi.\",\"output\":\"print('hi')\"}\n");
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertEquals(0, run(out, err, "train", "export", "--framework", "axolotl", "--mode", "qlora", "--data", data.toString(), "--out", dir.resolve("ax").toString()), err.toString());
        assertTrue(Files.readString(dir.resolve("ax/axolotl.yml")).contains("adapter: qlora"));
        err = new StringWriter();
        assertEquals(1, run(new StringWriter(), err, "train", "export", "--framework", "megatron", "--data", data.toString(), "--out", dir.resolve("x").toString()));
        assertTrue(err.toString().startsWith("codellm: error: --framework must be one of [axolotl, deepspeed]"), err.toString());
    }

    @Test
    void trainWithoutDataIsAOneLineError() {
        StringWriter err = new StringWriter();
        assertEquals(1, run(new StringWriter(), err, "train", "--out", dir.toString()));
        assertEquals("codellm: error: train needs --data and --out (see codellm train --help)", err.toString().strip());
        err = new StringWriter();
        assertEquals(1, run(new StringWriter(), err, "train", "--data", dir.resolve("nope").toString(), "--out", dir.resolve("o").toString()));
        assertTrue(err.toString().contains("not found"), err.toString());
    }
}
