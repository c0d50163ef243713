package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.SharedData;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufTensor;
import dev.codellm.model.gguf.GgufWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21 §3: a model with one NaN weight loaded, generated silent empty text and exited 0.
 * {@code inspect --check} names the tensor and exits 1; {@code complete}, {@code chat} and
 * {@code eval} stop with one line naming the fault.
 */
class NanWeightsCommandTest {
    @TempDir
    Path dir;

    private static final String STORIES = SharedData.require("models/stories260K/stories260K.gguf").toString();

    /** stories260K written again with the project's GGUF writer, one element of output_norm.weight NaN. */
    private Path poisoned() {
        Path out = dir.resolve("nan.gguf");
        try (GgufFile f = GgufFile.open(Path.of(STORIES))) {
            GgufWriter w = new GgufWriter().putAll(f);
            for (GgufTensor t : f.tensors()) {
                if (!t.name().equals("output_norm.weight")) {
                    w.addTensor(t);
                    continue;
                }
                byte[] b = t.data().toArray(ValueLayout.JAVA_BYTE);
                MemorySegment.ofArray(b).set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 12, Float.floatToRawIntBits(Float.NaN));
                w.addTensor(t.name(), t.type(), t.shape(), b);
            }
            w.write(out);
        }
        return out;
    }

    private static String lastLine(String s) {
        return s.strip().lines().reduce((a, b) -> b).orElse("");
    }

    @Test
    void inspectCheckNamesTheTensorAndExitsOne() throws Exception {
        CliRun clean = CliRun.of("inspect", "--no-tensors", "--check", STORIES);
        assertEquals(0, clean.code(), clean.err());
        assertTrue(clean.out().matches("(?s).*check: \\d+ tensors, [\\d,]+ weights: all finite\n.*"), clean.out());

        String bad = poisoned().toString();
        CliRun r = CliRun.of("inspect", "--no-tensors", "--check", bad);
        assertEquals(1, r.code(), r.err());
        assertTrue(r.out().matches("(?s).*check: output_norm\\.weight\\s+F32\\s+1 NaN, 0 Inf \\(first at element 3\\).*"), r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("codellm: error: 1 of ") && r.err().contains("output_norm.weight"), r.err());

        CliRun j = CliRun.of("inspect", "--json", "--check", bad);
        assertEquals(1, j.code());
        JsonNode check = new ObjectMapper().readTree(j.out()).path("check");
        assertFalse(check.path("clean").asBoolean(true));
        assertEquals("output_norm.weight", check.at("/bad/0/name").asText());
        assertEquals(1, check.at("/bad/0/nan").asInt());

        CliRun plain = CliRun.of("inspect", "--no-tensors", bad);
        assertEquals(0, plain.code(), "without --check the weights are not read");
    }

    @Test
    void completeChatAndEvalStopWithOneLineInsteadOfEmptyText() {
        String bad = poisoned().toString();
        CliRun c = CliRun.of("complete", "-q", "--model", bad, "--temperature", "0", "-n", "8", "Once upon a time");
        assertEquals(1, c.code(), c.out() + c.err());
        assertTrue(lastLine(c.err()).startsWith("codellm: error: the model's logits became NaN"), c.err());

        CliRun chat = CliRun.of("chat", "-q", "--model", bad, "--temperature", "0", "-n", "8", "Hi");
        assertEquals(1, chat.code(), chat.out() + chat.err());
        assertTrue(lastLine(chat.err()).contains("logits became NaN"), chat.err());

        Path out = dir.resolve("run");
        CliRun eval = CliRun.of("eval", "--model", bad, "--dataset", "humaneval", "--limit", "1", "--max-tokens", "4",
                "--out", out.toString(), "--cache-dir", dir.resolve("c").toString());
        assertEquals(1, eval.code(), eval.out() + eval.err());
        assertTrue(lastLine(eval.err()).contains("logits became NaN"), eval.err());
        assertFalse(Files.exists(out.resolve("samples_results.jsonl")), "no verdicts of empty answers were recorded");
    }
}
