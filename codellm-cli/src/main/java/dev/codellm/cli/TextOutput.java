package dev.codellm.cli;

import dev.codellm.core.TokenSink;
import java.io.PrintWriter;

/** Streams generated text to the terminal as it arrives. */
final class TextOutput implements TokenSink {
    private final PrintWriter out;
    private final Runnable onFirstText;
    private boolean endsWithNewline = true;

    /** {@code onFirstText} runs when the first generated text arrives (the run report's clock). */
    TextOutput(PrintWriter out, Runnable onFirstText) {
        this.out = out;
        this.onFirstText = onFirstText;
    }

    /** Marks the first non-empty text as generated output; echoed input goes through {@link #echo}. */
    @Override
    public boolean accept(String text) {
        if (!text.isEmpty()) onFirstText.run();
        return echo(text);
    }

    /** Prints text that is not generated (an echoed prompt or prefix). */
    boolean echo(String text) {
        out.print(text);
        out.flush();
        if (!text.isEmpty()) endsWithNewline = text.endsWith("\n");
        return true;
    }

    /** Ends the output with a newline unless the text already did. */
    void finishLine() {
        if (!endsWithNewline) out.println();
        out.flush();
        endsWithNewline = true;
    }
}
