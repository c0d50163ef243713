package dev.codellm.model.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.llama.ModelShape;
import dev.codellm.model.llama.SyntheticGguf;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress that {@code convert} and {@code quantize} print on the stream the CLI gives them
 * (System.err): on a terminal (what the launcher tells the JVM with {@code -Dcodellm.stderr.tty=true})
 * one bar redrawn in place, in a log or CI plain lines with no control characters; in both the
 * count is the file's tensor count, read here from the written file.
 */
class ConvertProgressTest {
    @TempDir Path dir;

    /** What {@code body} printed to System.err, with stderr taken for a terminal or not. */
    static String stderrOf(boolean terminal, Consumer<PrintStream> body) {
        assumeFalse("plain".equalsIgnoreCase(System.getenv("CODELLM_PROGRESS")), "CODELLM_PROGRESS=plain forces lines");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        String savedProp = System.getProperty("codellm.stderr.tty");
        try (PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setErr(err);
            System.setProperty("codellm.stderr.tty", Boolean.toString(terminal));
            body.accept(System.err);
        } finally {
            System.setErr(saved);
            if (savedProp == null) System.clearProperty("codellm.stderr.tty");
            else System.setProperty("codellm.stderr.tty", savedProp);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    static int tensorCount(Path gguf) {
        try (GgufFile f = GgufFile.open(gguf)) {
            return f.tensors().size();
        }
    }

    Path f16() {
        Path p = dir.resolve("tiny.gguf");
        SyntheticGguf.write(p, ModelShape.parse("tiny"), GgmlType.F16, 0, 2);
        return p;
    }

    /** The in-place bar: every draw starts with a carriage return; one line in all, ending at N/N. */
    static void assertBar(String label, int n, String text) {
        assertTrue(text.startsWith("\r" + label + " ["), text);
        assertTrue(text.contains("\r" + label + " [####################] " + n + "/" + n + " 100% "), "the bar ends at the tensor count " + n + ": " + text);
        assertTrue(text.contains("\033[K"), "each draw erases what a longer one left: " + text);
        assertEquals(1, text.chars().filter(c -> c == '\n').count(), "one line redrawn in place: " + text);
        assertFalse(text.contains(n + 1 + "/" + n), text);
    }

    /** The log form: plain lines, the first after one tensor, the last at N/N. */
    static void assertLines(String label, int n, String text) {
        assertFalse(text.contains("\r") || text.contains("\033"), "no control characters in a log: " + text);
        List<String> lines = text.lines().filter(l -> l.startsWith(label + " ")).toList();
        assertTrue(lines.size() >= 2, text);
        assertTrue(lines.getFirst().startsWith(label + " 1/" + n + " "), text);
        assertTrue(lines.getLast().startsWith(label + " " + n + "/" + n + " 100% ") && lines.getLast().contains(" in "), text);
    }

    @Test
    void quantizeCountsTensorsInPlaceOnATerminalAndInLinesElsewhere() {
        Path in = f16(), tty = dir.resolve("tty.gguf"), log = dir.resolve("log.gguf");
        String onTerminal = stderrOf(true, err -> GgufQuantizer.quantize(in, tty, QuantType.Q8_0, 2, false, err));
        String inLog = stderrOf(false, err -> GgufQuantizer.quantize(in, log, QuantType.Q8_0, 2, false, err));
        int n = tensorCount(tty);
        assertEquals(n, tensorCount(in));
        assertBar("quantize", n, onTerminal);
        assertLines("quantize", n, inLog);
    }

    @Test
    void exportToHfCountsTensorsInPlaceOnATerminalAndInLinesElsewhere() {
        Path in = f16();
        String onTerminal = stderrOf(true, err -> GgufToHf.export(in, dir.resolve("hf-tty"), err));
        String inLog = stderrOf(false, err -> GgufToHf.export(in, dir.resolve("hf-log"), err));
        int n = tensorCount(in);
        assertTrue(n > 2, "more tensors than shards: " + n);
        assertBar("export", n, onTerminal);
        assertLines("export", n, inLog);
    }

    @Test
    void convertCountsTensorsInPlaceOnATerminalAndInLinesElsewhere() {
        Path hf = dir.resolve("hf");
        GgufToHf.export(f16(), hf, new PrintStream(new ByteArrayOutputStream()));
        Path tty = dir.resolve("tty.gguf"), log = dir.resolve("log.gguf");
        String onTerminal = stderrOf(true, err -> HfToGguf.convert(hf, tty, QuantType.F16, "t", 2, err));
        String inLog = stderrOf(false, err -> HfToGguf.convert(hf, log, QuantType.Q4_K_M, "t", 2, err));
        int n = tensorCount(tty);
        assertEquals(n, tensorCount(log));
        assertBar("convert", n, onTerminal);
        assertLines("convert", n, inLog);
    }
}
