package dev.codellm.core;

/**
 * What {@link Progress} needs to know about the terminal. Java cannot tell whether stderr is a
 * terminal (System.console() is about stdin and stdout, and on JDK 22+ exists even when they are
 * redirected), so the launcher, which can ({@code [ -t 2 ]}), says so with
 * {@code -Dcodellm.stderr.tty=true} and passes the width as {@code -Dcodellm.columns}.
 * {@code CODELLM_PROGRESS=plain} keeps plain lines on a terminal too (screen recordings, `script`).
 */
public final class StatusLine {
    /** ANSI "erase to end of line": what is left of a longer earlier bar disappears. */
    static final String CLEAR_TO_END = "\033[K";
    private static final int DEFAULT_COLUMNS = 100;

    private StatusLine() {}

    public static boolean stderrIsTerminal() {
        if ("plain".equalsIgnoreCase(System.getenv("CODELLM_PROGRESS"))) return false;
        return Boolean.getBoolean("codellm.stderr.tty");
    }

    /** The terminal's width when the launcher knew it (or COLUMNS), else 100. */
    static int columns() {
        for (String v : new String[] {System.getProperty("codellm.columns"), System.getenv("COLUMNS")}) {
            if (v == null) continue;
            try {
                int c = Integer.parseInt(v.strip());
                if (c > 10) return c;
            } catch (NumberFormatException ignored) {
                // not a width: try the next source
            }
        }
        return DEFAULT_COLUMNS;
    }

    /** The text cut to one terminal line (a wrapped bar would be redrawn on a new line each time). */
    static String fit(String text, int columns) {
        return text.length() < columns ? text : text.substring(0, Math.max(0, columns - 2)) + "…";
    }
}
