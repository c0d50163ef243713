package dev.codellm.cli;

import dev.codellm.core.TokenSink;
import java.io.PrintWriter;

/** Streams generated text to the terminal as it arrives. */
final class TextOutput implements TokenSink {
    private final PrintWriter out;
    private boolean endsWithNewline = true;

    TextOutput(PrintWriter out) {
        this.out = out;
    }

    @Override
    public boolean accept(String text) {
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
