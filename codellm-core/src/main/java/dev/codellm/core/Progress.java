package dev.codellm.core;

import java.io.PrintStream;
import java.time.Duration;

/**
 * One-line progress for long jobs ("label 120/500 24% 3.1/s ETA 2m03s"), printed to stderr at most
 * every {@code intervalMillis}. Thread-safe; a job calls {@link #step(long)} as units finish.
 */
public final class Progress {
    private final String label;
    private final long total;
    private final PrintStream out;
    private final long intervalMillis;
    private final long startNanos = System.nanoTime();
    private long done;
    private long lastPrint;

    public Progress(String label, long total) {
        this(label, total, System.err, 1000);
    }

    public Progress(String label, long total, PrintStream out, long intervalMillis) {
        this.label = label;
        this.total = total;
        this.out = out;
        this.intervalMillis = intervalMillis;
    }

    public synchronized void step(long units) {
        done += units;
        long now = System.currentTimeMillis();
        if (now - lastPrint >= intervalMillis || done >= total) {
            lastPrint = now;
            out.println(line());
        }
    }

    public synchronized long done() { return done; }

    /** The current progress line, e.g. {@code eval 12/164 7% 2.0/s ETA 1m16s}. */
    public synchronized String line() {
        double secs = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        double rate = done / secs;
        StringBuilder sb = new StringBuilder(label).append(' ').append(done);
        if (total > 0) {
            sb.append('/').append(total).append(' ').append(Math.round(100.0 * done / total)).append('%');
        }
        sb.append(String.format(" %.1f/s", rate));
        if (total > 0 && rate > 0 && done < total) sb.append(" ETA ").append(format(Duration.ofSeconds((long) ((total - done) / rate))));
        return sb.toString();
    }

    static String format(Duration d) {
        long s = d.toSeconds();
        if (s >= 3600) return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
        if (s >= 60) return String.format("%dm%02ds", s / 60, s % 60);
        return s + "s";
    }
}
