package dev.codellm.cli;

import dev.codellm.core.FinishReason;
import dev.codellm.model.generate.LocalGenerator;
import java.io.PrintWriter;
import java.util.Locale;

/** The model summary before a run and token counts / speed after it, on stderr. */
final class RunReport {
    private final PrintWriter err;
    private final boolean quiet;
    private final LocalGenerator generator;
    private long start = System.nanoTime();
    private long firstToken = -1;

    RunReport(PrintWriter err, boolean quiet, LocalGenerator g) {
        this.err = err;
        this.quiet = quiet;
        this.generator = g;
        if (!quiet) {
            err.println("codellm: " + g.summary());
            err.flush();
        }
    }

    /** Restarts the clock (the REPL reports each answer). */
    void restart() {
        start = System.nanoTime();
        firstToken = -1;
    }

    /** The first generated text arrived: the prompt is processed (its logits gave that token). */
    void firstToken() {
        if (firstToken < 0) firstToken = System.nanoTime();
    }

    void done(int promptTokens, int completionTokens, FinishReason finish) {
        if (quiet) return;
        err.println(line(promptTokens, completionTokens, finish, System.nanoTime()));
        err.flush();
    }

    /**
     * Counts, time and rates measured apart: the prompt up to the first token, generation after it
     * (each later token one forward step). A rate is only given where tokens were processed.
     */
    String line(int promptTokens, int completionTokens, FinishReason finish, long end) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "codellm: %d prompt + %d generated tokens in %.2f s",
                promptTokens, completionTokens, (end - start) / 1e9));
        if (firstToken >= 0 && completionTokens > 0) {
            double promptSecs = Math.max((firstToken - start) / 1e9, 1e-9);
            b.append(String.format(Locale.ROOT, " (prompt %.1f tokens/s", promptTokens / promptSecs));
            if (completionTokens > 1) {
                b.append(String.format(Locale.ROOT, ", generation %.2f tokens/s", (completionTokens - 1) / Math.max((end - firstToken) / 1e9, 1e-9)));
            }
            b.append(')');
        }
        LocalGenerator.DraftStats d = generator == null ? LocalGenerator.DraftStats.NONE : generator.lastDraftStats();
        if (generator != null && generator.lookup() > 0) {
            // llama.cpp's speculative summary: drafted tokens, accepted ones and the rate
            b.append(String.format(Locale.ROOT, ", lookup: %d drafted, %d accepted", d.drafted(), d.accepted()));
            if (d.drafted() > 0) b.append(String.format(Locale.ROOT, " (%.1f%%)", 100.0 * d.accepted() / d.drafted()));
        }
        return b.append(", finish: ").append(finish.openAiName()).toString();
    }
}
