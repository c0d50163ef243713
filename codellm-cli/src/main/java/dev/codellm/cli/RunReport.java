package dev.codellm.cli;

import dev.codellm.core.FinishReason;
import dev.codellm.model.generate.LocalGenerator;
import java.io.PrintWriter;
import java.util.Locale;

/** The model summary before a run and token counts / speed after it, on stderr. */
final class RunReport {
    private final PrintWriter err;
    private final boolean quiet;
    private long start = System.nanoTime();

    RunReport(PrintWriter err, boolean quiet, LocalGenerator g) {
        this.err = err;
        this.quiet = quiet;
        if (!quiet) {
            err.println("codellm: " + g.summary());
            err.flush();
        }
    }

    /** Restarts the clock (the REPL reports each answer). */
    void restart() { start = System.nanoTime(); }

    void done(int promptTokens, int completionTokens, FinishReason finish) {
        if (quiet) return;
        double secs = (System.nanoTime() - start) / 1e9;
        err.println(String.format(Locale.ROOT, "codellm: %d prompt + %d generated tokens in %.2f s (%.2f tokens/s overall), finish: %s",
                promptTokens, completionTokens, secs, (promptTokens + completionTokens) / Math.max(secs, 1e-9), finish.openAiName()));
        err.flush();
    }
}
