package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.SharedData;
import org.junit.jupiter.api.Test;

/** The line after an answer gives prompt and generation speed apart, and no speed for tokens that were not generated. */
class TimingLineTest {
    static final String STORIES = SharedData.require("models/stories260K/stories260K.gguf").toString();

    private static String last(String err) {
        return err.strip().lines().reduce((a, b) -> b).orElse("");
    }

    /** Before: "codellm: 4 prompt + 0 generated tokens in 0.01 s (16.32 tokens/s overall)". */
    @Test
    void nothingGeneratedHasNoRate() {
        CliRun r = CliRun.of("complete", "--model", STORIES, "-n", "0", "Once upon a time");
        assertEquals(0, r.code(), r.err());
        String line = last(r.err());
        assertTrue(line.matches("codellm: \\d+ prompt \\+ 0 generated tokens in \\d+\\.\\d\\d s, finish: length"), line);
    }

    @Test
    void promptAndGenerationRatesAreSeparate() {
        CliRun r = CliRun.of("complete", "--model", STORIES, "--temperature", "0", "-n", "12", "Once upon a time");
        assertEquals(0, r.code(), r.err());
        String line = last(r.err());
        assertTrue(line.matches("codellm: 5 prompt \\+ 12 generated tokens in \\d+\\.\\d\\d s "
                + "\\(prompt \\d+\\.\\d tokens/s, generation \\d+\\.\\d\\d tokens/s\\), finish: length"), line);
        CliRun ids = CliRun.of("complete", "--model", STORIES, "--temperature", "0", "-n", "3", "--ids", "Once upon a time");
        assertTrue(last(ids.err()).contains("generation "), ids.err());
    }
}
