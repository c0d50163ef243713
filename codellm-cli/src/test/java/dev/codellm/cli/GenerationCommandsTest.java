package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.SharedData;
import dev.codellm.model.tokenizer.Tokenizer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** complete / infill / chat through Main, on the real stories260K model and llama2.c's golden text. */
class GenerationCommandsTest {
    private static final Path MODEL = SharedData.require("models/stories260K/stories260K.gguf");


    private static String golden(String name) throws Exception {
        return Files.readString(SharedData.require("models/stories260K/golden/" + name));
    }

    @Test
    void completeGreedyPrintsLlama2cText() throws Exception {
        CliRun r = CliRun.of("complete", "--model", MODEL.toString(), "--temperature", "0", "-n", "60", "Once upon a time");
        assertEquals(0, r.code(), r.err());
        assertEquals(golden("greedy_n64_once_upon_a_time.txt"), "Once upon a time" + r.out());
        assertTrue(r.err().contains("context 2048"), r.err()); // the model summary, with the KV cache size
        assertTrue(r.err().contains("KV cache F16"), r.err());
    }

    @Test
    void completeIdsPrintsOnlyIdsThatDecodeToTheSameText() throws Exception {
        CliRun r = CliRun.of("complete", "-q", "--model", MODEL.toString(), "--temperature", "0", "-n", "60", "--ids", "Once upon a time");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().matches("(\\d+ )*\\d+\\n"), r.out());
        int[] ids = Arrays.stream(r.out().trim().split(" ")).mapToInt(Integer::parseInt).toArray();
        assertEquals(60, ids.length);
        String text = Tokenizer.fromGguf(MODEL).decode(concat(new int[] {1, 403, 407, 261, 378}, ids));
        assertEquals(golden("greedy_n64_once_upon_a_time.txt"), text + "\n");
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void lookupGivesTheSameIdsAndReportsItsDraftsInTheTimingLine() {
        String prompt = "Tom had a red ball. Tom had a red ball. Tom had a";
        CliRun plain = CliRun.of("complete", "-q", "--model", MODEL.toString(), "--temperature", "0", "-n", "80", "--ids", prompt);
        CliRun lookup = CliRun.of("complete", "--model", MODEL.toString(), "--temperature", "0", "-n", "80", "--lookup", "6", "--ids", prompt);
        assertEquals(0, lookup.code(), lookup.err());
        assertEquals(plain.out(), lookup.out());
        assertTrue(lookup.err().matches("(?s).*generated tokens in .*, lookup: \\d+ drafted, [1-9]\\d* accepted \\(.*%\\), finish: length\n"), lookup.err());
        CliRun bad = CliRun.of("complete", "--model", MODEL.toString(), "--lookup", "-1", "x");
        assertNotEquals(0, bad.code(), bad.err());
        assertTrue(bad.err().contains("--lookup must be >= 0"), bad.err());
    }

    @Test
    void seededSamplingFromTheCliIsReproducible() {
        String[] args = {"complete", "-q", "--model", MODEL.toString(), "--temperature", "1", "--seed", "5", "-n", "30", "--ids", "Lily"};
        CliRun a = CliRun.of(args), b = CliRun.of(args);
        assertEquals(0, a.code(), a.err());
        assertEquals(a.out(), b.out());
    }

    @Test
    void chatOneShotAndInteractiveFromStdin() {
        CliRun r = CliRun.of("chat", "-q", "--model", MODEL.toString(), "--temperature", "0", "-n", "10", "--message", "Hi");
        assertEquals(0, r.code(), r.err());
        assertTrue(!r.out().isBlank());
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream("Hello\n/reset\nTell a \\\nstory\n/exit\nignored\n".getBytes(StandardCharsets.UTF_8)));
            CliRun repl = CliRun.of("chat", "--model", MODEL.toString(), "--temperature", "0", "-n", "5");
            assertEquals(0, repl.code(), repl.err());
            // two answers, each reported on stderr
            assertEquals(2, repl.err().split("generated tokens", -1).length - 1, repl.err());
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void responsePrefixIsAPrefillTheAnswerContinues() {
        CliRun r = CliRun.of("chat", "-q", "--model", MODEL.toString(), "--temperature", "0", "-n", "12",
                "--response-prefix", "Once upon a time", "Tell me a story.");
        assertEquals(0, r.code(), r.err());
        String expected;
        try (var g = dev.codellm.model.generate.LocalGenerator.open(MODEL, dev.codellm.model.generate.GeneratorOptions.DEFAULT)) {
            expected = g.chat(dev.codellm.core.ChatRequest.of(java.util.List.of(dev.codellm.core.ChatMessage.user("Tell me a story."),
                    dev.codellm.core.ChatMessage.assistant("Once upon a time")), dev.codellm.core.SamplingParams.GREEDY.withMaxTokens(12)), t -> true).text();
        }
        assertEquals("Once upon a time" + expected, r.out().strip());
    }

    @Test
    void errorsAreOneLine() {
        CliRun infill = CliRun.of("infill", "-q", "--model", MODEL.toString(), "--prefix", "a", "--suffix", "b");
        assertEquals(1, infill.code());
        assertTrue(infill.err().startsWith("codellm: error: model llama cannot infill"), infill.err());
        CliRun temp = CliRun.of("complete", "--model", MODEL.toString(), "--temperature", "-1", "x");
        assertEquals(1, temp.code());
        assertEquals("codellm: error: temperature must be >= 0, got -1.0\n", temp.err());
        CliRun missing = CliRun.of("complete", "--model", "/nonexistent/m.gguf", "x");
        assertEquals("codellm: error: model file not found: /nonexistent/m.gguf\n", missing.err());
        CliRun noPrompt = CliRun.of("complete", "--model", MODEL.toString());
        assertEquals("codellm: error: no prompt: give PROMPT, '-' for stdin, or --file FILE\n", noPrompt.err());
        assertEquals(2, CliRun.of("complete", "--temperature", "hot", "x").code());
    }

    /** The end of the context (issue 20): said on stderr without --context-shift; with it the answer goes on. */
    @Test
    void chatAtTheEndOfTheContextSaysSoOrShifts() {
        CliRun cut = CliRun.of("chat", "--model", MODEL.toString(), "--ctx", "64", "--temperature", "0", "-n", "200", "Once upon a time");
        assertEquals(0, cut.code(), cut.err());
        assertTrue(cut.err().contains("codellm: the answer stopped at the end of the context (64 tokens); --context-shift goes on past it"),
                cut.err());
        assertTrue(cut.err().contains("finish: length"), cut.err());
        CliRun shifted = CliRun.of("chat", "--model", MODEL.toString(), "--ctx", "64", "--context-shift", "--keep", "4", "--temperature", "0",
                "-n", "200", "Once upon a time");
        assertEquals(0, shifted.code(), shifted.err());
        assertTrue(shifted.err().contains(" + 200 generated tokens"), shifted.err());
        assertTrue(shifted.err().contains("context shift (keep 4)"), shifted.err());
        assertTrue(!shifted.err().contains("stopped at the end of the context"), shifted.err());
        CliRun keepAlone = CliRun.of("complete", "--model", MODEL.toString(), "--keep", "4", "Once");
        assertEquals(1, keepAlone.code());
        assertTrue(keepAlone.err().contains("--keep needs --context-shift"), keepAlone.err());
    }
}
