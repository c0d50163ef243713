package dev.codellm.core.io;

import static org.junit.jupiter.api.Assertions.*;

import dev.codellm.core.CodellmException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The strict reader, the one torn-line policy of the tolerant reader, and the appender. */
class JsonlTest {
    @TempDir
    Path tmp;

    @Test
    void strictReaderNamesTheLineAndReadsGzipByContent() throws Exception {
        Path f = tmp.resolve("in.jsonl");
        Files.writeString(f, "{\"a\": 1}\n\n[1, 2]\n");
        CodellmException e = assertThrows(CodellmException.class, () -> Jsonl.read(f, "samples file"));
        assertEquals("samples file " + f + " line 3: not a JSON object", e.getMessage());
        Files.writeString(f, "{\"a\": 1}\n{oops\n");
        e = assertThrows(CodellmException.class, () -> Jsonl.read(f, "samples file"));
        assertTrue(e.getMessage().startsWith("samples file " + f + " line 2: malformed JSON: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");

        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write("{\"x\": NaN}\r\n{\"x\": -Infinity}\n".getBytes(StandardCharsets.UTF_8));
        }
        Path g = tmp.resolve("named-without-gz-suffix.jsonl");
        Files.write(g, gz.toByteArray());
        List<Jsonl.Line> lines = Jsonl.read(g, "dataset");
        assertEquals(2, lines.size());
        assertTrue(Double.isNaN(lines.get(0).json().get("x").asDouble()));
        assertEquals(Double.NEGATIVE_INFINITY, lines.get(1).json().get("x").asDouble());
        assertEquals("dataset " + g + " line 2", lines.get(1).where());
        assertThrows(CodellmException.class, () -> Jsonl.read(tmp.resolve("missing.jsonl"), "x"));
    }

    @Test
    void aTornLastLineIsCutOffAndTheFileStaysAppendable() throws Exception {
        Path f = tmp.resolve("run.jsonl");
        Files.writeString(f, "{\"i\": 0}\n{\"i\": 1}\n{\"i\": 2, \"tex");
        Jsonl.Tolerant t = Jsonl.readTolerant(f);
        assertEquals(2, t.lines().size());
        assertTrue(t.tornLineDropped());
        assertEquals("{\"i\": 0}\n{\"i\": 1}\n", Files.readString(f), "the torn line is truncated away");
        try (Jsonl.Appender a = new Jsonl.Appender(f)) {
            a.append(Json.MAPPER.createObjectNode().put("i", 2));
        }
        assertEquals(3, Jsonl.readTolerant(f).lines().size());
        assertFalse(Jsonl.readTolerant(f).tornLineDropped());
    }

    @Test
    void aWholeLastLineWithoutItsNewlineIsKept() throws Exception {
        Path f = tmp.resolve("run.jsonl");
        Files.writeString(f, "{\"i\": 0}\n{\"i\": 1}");
        Jsonl.Tolerant t = Jsonl.readTolerant(f);
        assertEquals(2, t.lines().size());
        assertFalse(t.tornLineDropped());
        assertEquals("{\"i\": 0}\n{\"i\": 1}\n", Files.readString(f));
    }

    @Test
    void aCorruptMiddleLineIsAnErrorNamingFileAndLineAndNothingIsLost() throws Exception {
        Path f = tmp.resolve("samples.jsonl");
        String content = "{\"i\": 0}\n{\"i\": 1, \"x\n{\"i\": 2}\n{\"i\": 3}\n";
        Files.writeString(f, content);
        CodellmException e = assertThrows(CodellmException.class, () -> Jsonl.readTolerant(f));
        assertTrue(e.getMessage().startsWith(f + ":2: malformed JSON"), e.getMessage());
        assertTrue(e.getMessage().contains("only a torn last line"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        assertEquals(content, Files.readString(f), "the file is left as it was");
        // A non-object line is not a crash's doing either.
        Files.writeString(f, "{\"i\": 0}\n17\n{\"i\": 2}\n");
        e = assertThrows(CodellmException.class, () -> Jsonl.readTolerant(f));
        assertTrue(e.getMessage().startsWith(f + ":2: not a JSON object"), e.getMessage());
    }

    @Test
    void appendedLinesAreOnDiskBeforeCloseAndTheAppenderRefusesATornFile() throws Exception {
        Path f = tmp.resolve("out.jsonl");
        try (Jsonl.Appender a = new Jsonl.Appender(f)) {
            a.append(Json.MAPPER.createObjectNode().put("v", Double.POSITIVE_INFINITY));
            // Another reader (a kill -9 now) sees the whole line already.
            assertEquals("{\"v\":Infinity}\n", Files.readString(f));
        }
        Files.writeString(f, "{\"torn", java.nio.file.StandardOpenOption.APPEND);
        assertThrows(IllegalStateException.class, () -> new Jsonl.Appender(f));
        assertEquals(1, Jsonl.readTolerant(f).lines().size());
        assertEquals(0, Jsonl.readTolerant(tmp.resolve("none.jsonl")).lines().size(), "a missing file reads as empty");
    }

    @Test
    void concurrentAppendsNeverInterleave() throws Exception {
        Path f = tmp.resolve("many.jsonl");
        String text = "x".repeat(10_000);
        try (Jsonl.Appender a = new Jsonl.Appender(f)) {
            Thread[] ts = new Thread[4];
            for (int t = 0; t < ts.length; t++) {
                int id = t;
                ts[t] = new Thread(() -> {
                    for (int i = 0; i < 50; i++) a.append(Json.MAPPER.createObjectNode().put("t", id).put("text", text));
                });
                ts[t].start();
            }
            for (Thread t : ts) t.join();
        }
        assertEquals(200, Jsonl.read(f, "file").size());
    }
}
