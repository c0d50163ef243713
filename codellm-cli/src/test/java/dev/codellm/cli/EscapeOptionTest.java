package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code \n} typed on the command line means the same in complete, infill and chat: itself, unless --escape. */
class EscapeOptionTest {
    static final String STORIES = SharedData.require("models/stories260K/stories260K.gguf").toString();
    @TempDir Path tmp;

    @Test
    void unescapeNamesTheUsualSequencesAndLeavesOtherBackslashes() {
        assertEquals("a\nb\tc\rd\\e\"f'g\0h", TextArgs.unescape("a\\nb\\tc\\rd\\\\e\\\"f\\'g\\0h"));
        assertEquals("A=\u001b[0m", TextArgs.unescape("\\x41=\\x1b[0m"));
        assertEquals("re \\d+ \\xZZ \\", TextArgs.unescape("re \\d+ \\xZZ \\"), "unknown escapes, bad hex and a trailing backslash stay");
        assertEquals("\\n", TextArgs.unescape("\\\\n"), "an escaped backslash is not the start of an escape");
    }

    @Test
    void completeTakesThePromptAsTyped() throws Exception {
        CliRun typed = CliRun.of("complete", "-q", "--model", STORIES, "--temperature", "0", "-n", "1", "--echo", "x = 'a\\nb'");
        assertEquals(0, typed.code(), typed.err());
        assertTrue(typed.out().startsWith("x = 'a\\nb'"), typed.out());
        CliRun escaped = CliRun.of("complete", "-q", "--model", STORIES, "--temperature", "0", "-n", "1", "--echo", "-e", "x = 'a\\nb'");
        assertEquals(0, escaped.code(), escaped.err());
        assertTrue(escaped.out().startsWith("x = 'a\nb'"), escaped.out());
        Path file = Files.writeString(tmp.resolve("p.txt"), "s = '\\n'");
        CliRun fromFile = CliRun.of("complete", "-q", "--model", STORIES, "--temperature", "0", "-n", "1", "--echo", "--escape", "--prompt-file", file.toString());
        assertEquals(0, fromFile.code(), fromFile.err());
        assertTrue(fromFile.out().startsWith("s = '\\n'"), "files are never unescaped: " + fromFile.out());
    }

    /** Before: infill unescaped --prefix/--suffix always, turning the string literal "a\nb" into a line break. */
    @Test
    void infillTakesPrefixAndSuffixAsTyped() {
        String[] args = {"infill", "-q", "--temperature", "0", "-n", "2", "--full", "--prefix", "s = \"a\\nb\"\n", "--suffix", "\nprint(s)\n"};
        CliRun typed = CliRun.of(args);
        assertEquals(0, typed.code(), typed.err());
        assertTrue(typed.out().startsWith("s = \"a\\nb\"\n"), typed.out());
        assertTrue(typed.out().endsWith("\nprint(s)\n"), typed.out());
        CliRun escaped = CliRun.of("infill", "-q", "--temperature", "0", "-n", "2", "--full", "--escape", "--prefix", "def f():\\n    ", "--suffix", "\\n");
        assertEquals(0, escaped.code(), escaped.err());
        assertTrue(escaped.out().startsWith("def f():\n    "), escaped.out());
    }

    /** Before: chat unescaped --response-prefix always. */
    @Test
    void chatTakesItsTextAsTyped() {
        CliRun typed = CliRun.of("chat", "-q", "--model", STORIES, "--temperature", "0", "-n", "1", "--response-prefix", "x\\ny", "Hi");
        assertEquals(0, typed.code(), typed.err());
        assertTrue(typed.out().startsWith("x\\ny"), typed.out());
        CliRun escaped = CliRun.of("chat", "-q", "--model", STORIES, "--temperature", "0", "-n", "1", "--escape", "--response-prefix", "x\\ny", "Hi");
        assertEquals(0, escaped.code(), escaped.err());
        assertTrue(escaped.out().startsWith("x\ny"), escaped.out());
        CliRun both = CliRun.of("chat", "-q", "--model", STORIES, "--prompt-file", "/etc/hostname", "Hi");
        assertEquals(1, both.code());
        assertEquals("codellm: error: give the message either inline or as a file, not both\n", both.err());
    }

    @Test
    void stopStringsAreTypedTextUnlessEscaped() {
        CompleteCommand typed = new CompleteCommand();
        new CommandLine(typed).parseArgs("--stop", "\\n\\n", "x");
        assertEquals(List.of("\\n\\n"), typed.generation.params().stop());
        CompleteCommand escaped = new CompleteCommand();
        new CommandLine(escaped).parseArgs("--escape", "--stop", "\\n\\n", "x");
        assertEquals(List.of("\n\n"), escaped.generation.params().stop());
    }
}
