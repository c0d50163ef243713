package dev.codellm.core;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Progress of a long job, the one helper every stage uses (generation, sandboxed testing, ground
 * truth, training, decontamination, teacher calls, perplexity, benches). On a terminal it is a bar
 * redrawn in place ({@code generate humaneval [#####-----] 82/164 50% 3.1/s ETA 26s}); elsewhere
 * (CI logs, files, tests) the same text as a plain line at most every {@code intervalMillis}, so a
 * log shows history without a carriage-return mess. Thread-safe; a job calls {@link #step(long)} as
 * units finish and {@link #close()} when it stops (a finished bar ends its line; a bar left by a
 * failing job is ended too, so the error starts on a line of its own).
 */
public final class Progress implements AutoCloseable {
    /** Redraws on a terminal: often enough to look live, rarely enough to cost nothing. */
    private static final long TTY_REDRAW_MILLIS = 100;
    private static final int BAR_WIDTH = 20;

    private final String label;
    private final long total;
    private final PrintStream out;
    private final long intervalMillis;
    private final boolean tty;
    private final long startNanos = System.nanoTime();
    private Supplier<String> detail = () -> "";
    private long done;
    private long lastPrint;
    private boolean barShown;
    private boolean closed;

    /** To stderr: a bar when stderr is a terminal, else a line per second. */
    public Progress(String label, long total) {
        this(label, total, System.err, 1000, StatusLine.stderrIsTerminal());
    }

    /** Plain lines to {@code out} (a log, a test's buffer). */
    public Progress(String label, long total, PrintStream out, long intervalMillis) {
        this(label, total, out, intervalMillis, out == System.err && StatusLine.stderrIsTerminal());
    }

    public Progress(String label, long total, PrintStream out, long intervalMillis, boolean tty) {
        this.label = label;
        this.total = total;
        this.out = out;
        this.intervalMillis = intervalMillis;
        this.tty = tty;
    }

    /** Text appended to every line (training's loss, say), asked for at each redraw. */
    public Progress detail(Supplier<String> detail) {
        this.detail = detail;
        return this;
    }

    public synchronized void step(long units) {
        done += units;
        long now = System.currentTimeMillis();
        boolean finished = total > 0 && done >= total;
        if (closed) return;
        if (tty) {
            if (now - lastPrint >= TTY_REDRAW_MILLIS || finished) {
                lastPrint = now;
                draw();
            }
            if (finished) endBar();
        } else if (now - lastPrint >= intervalMillis || finished) {
            lastPrint = now;
            out.println(line());
        }
        if (finished) closed = true;
    }

    /**
     * A message that must not be overwritten (a warning, training's periodic loss line): on a
     * terminal the bar is cleared, the message printed, and the bar drawn again below it.
     */
    public synchronized void note(String message) {
        if (tty && barShown) out.print("\r" + StatusLine.CLEAR_TO_END);
        out.println(message);
        if (tty && barShown && !closed) draw();
        else out.flush();
    }

    /** Ends the job's output: the bar's last state on its own line (nothing more in plain mode). */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (tty && barShown) {
            draw();
            endBar();
        }
    }

    public synchronized long done() { return done; }

    private void draw() {
        String text = StatusLine.fit(bar(), StatusLine.columns());
        out.print("\r" + text + StatusLine.CLEAR_TO_END);
        out.flush();
        barShown = true;
    }

    private void endBar() {
        out.println();
        out.flush();
        barShown = false;
    }

    /** The terminal form: the plain line with a bar after the label. */
    synchronized String bar() {
        if (total <= 0) return line();
        int filled = (int) Math.min(BAR_WIDTH, BAR_WIDTH * done / total);
        String bar = "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "]";
        return label + " " + bar + line().substring(label.length());
    }

    /** The current progress line, e.g. {@code eval 12/164 7% 2.0/s ETA 1m16s}. */
    public synchronized String line() {
        double secs = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        double rate = done / secs;
        StringBuilder sb = new StringBuilder(label).append(' ').append(done);
        if (total > 0) {
            sb.append('/').append(total).append(' ').append(Math.round(100.0 * done / total)).append('%');
        }
        sb.append(rate >= 10 ? String.format(Locale.ROOT, " %.0f/s", rate) : String.format(Locale.ROOT, " %.1f/s", rate));
        if (total > 0 && rate > 0 && done < total) sb.append(" ETA ").append(format(Duration.ofSeconds((long) ((total - done) / rate))));
        else if (total > 0 && done >= total) sb.append(" in ").append(format(Duration.ofSeconds((long) secs)));
        String d = detail.get();
        if (d != null && !d.isEmpty()) sb.append(' ').append(d);
        return sb.toString();
    }

    static String format(Duration d) {
        long s = d.toSeconds();
        if (s >= 3600) return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        if (s >= 60) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return s + "s";
    }
}
