package dev.codellm.core;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The two forms of progress: a bar redrawn in place on a terminal, plain lines in a log. */
class ProgressTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String text() { return bytes.toString(StandardCharsets.UTF_8); }

    @Test
    void onATerminalTheBarIsRedrawnOnOneLineAndEndsItWhenDone() {
        Progress p = new Progress("generate humaneval", 4, out, 1000, true);
        for (int i = 0; i < 4; i++) p.step(1);
        String t = text();
        // every draw returns to the line's start and erases what a longer earlier draw left
        assertTrue(t.startsWith("\rgenerate humaneval [#####---------------] 1/4 25% "), t);
        assertTrue(t.contains("\rgenerate humaneval [####################] 4/4 100% "), t);
        assertTrue(t.contains(StatusLine.CLEAR_TO_END), t);
        assertEquals(1, t.chars().filter(c -> c == '\n').count(), "one line in all, ended when the job is done: " + t);
        assertTrue(t.endsWith("\n"), t);
        p.close();
        assertEquals(t, text(), "closing a finished bar prints nothing more");
    }

    @Test
    void aNoteGoesAboveTheBarAndAnUnfinishedBarEndsItsLineOnClose() {
        Progress p = new Progress("train steps", 10, out, 1000, true).detail(() -> "loss 2.5000");
        p.step(1);
        p.note("step 1/10 held-out 2.6");
        int before = text().length();
        p.close();
        String t = text();
        assertTrue(t.contains("\r" + StatusLine.CLEAR_TO_END + "step 1/10 held-out 2.6\n\rtrain steps [##------------------] 1/10 10% "), t);
        assertTrue(t.contains("loss 2.5000"), t);
        assertTrue(t.length() > before && t.endsWith("\n"), "the error after a failed job starts on its own line: " + t);
    }

    @Test
    void inALogItPrintsPlainPeriodicLinesWithoutControlCharacters() {
        Progress p = new Progress("test mbpp", 3, out, 1_000_000, false);
        for (int i = 0; i < 3; i++) p.step(1);
        p.close();
        List<String> lines = text().lines().toList();
        assertEquals(2, lines.size(), "the first step and the last: " + lines);
        assertTrue(lines.get(0).startsWith("test mbpp 1/3 33% "), lines.toString());
        assertTrue(lines.get(1).startsWith("test mbpp 3/3 100% ") && lines.get(1).contains(" in "), lines.toString());
        assertFalse(text().contains("\r") || text().contains("\033"), text());
    }

    @Test
    void aBarWiderThanTheTerminalIsCutToOneLine() {
        assertEquals("abcdefgh…", StatusLine.fit("abcdefghijklmnop", 10));
        assertEquals("short", StatusLine.fit("short", 10));
    }
}
