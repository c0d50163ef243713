package dev.codellm.eval.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Reads one output pipe of a sandboxed run (its stdout or stderr) to the end on a virtual thread
 * of its own, so that a run flooding both streams cannot block on either: keeps the first
 * {@code keep} bytes (never more in memory), counts and drops the rest, and once more than
 * {@code floodAt} bytes have come calls {@code onFlood} (the sandbox kills the run). That is the
 * file-size limit the stream had when it was a host file under RLIMIT_FSIZE: the program's
 * output is cut at the same size, and the report says {@code file-size}.
 */
final class OutputDrain {
    private final InputStream in;
    private final int keep;
    private final long floodAt;
    private final Runnable onFlood;
    private final Thread thread;
    private byte[] kept = new byte[0];
    private int size;
    private long total;
    private volatile boolean flooded;

    private OutputDrain(String name, InputStream in, int keep, long floodAt, Runnable onFlood) {
        this.in = in;
        this.keep = keep;
        this.floodAt = floodAt;
        this.onFlood = onFlood;
        this.thread = Thread.ofVirtual().name(name).start(this::drain);
    }

    /** Starts reading {@code in} now. */
    static OutputDrain start(String name, InputStream in, int keep, long floodAt, Runnable onFlood) {
        return new OutputDrain(name, in, keep, floodAt, onFlood);
    }

    private void drain() {
        byte[] buf = new byte[16384];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                boolean over;
                synchronized (this) {
                    int room = keep - size;
                    if (room > 0) append(buf, Math.min(n, room));
                    total += n;
                    over = !flooded && total > floodAt;
                    if (over) flooded = true;
                }
                if (over) onFlood.run();
            }
        } catch (IOException e) {
            // closed under us (the run is over): what was read stands
        }
    }

    private void append(byte[] buf, int n) {
        if (size + n > kept.length) kept = Arrays.copyOf(kept, (int) Math.min(keep, Math.max(size + n, 2L * kept.length + 4096)));
        System.arraycopy(buf, 0, kept, size, n);
        size += n;
    }

    /**
     * Waits up to {@code millis} for the end of the stream (every writer gone), then stops reading
     * (a writer the kill has not reached yet cannot hold the run); returns the bytes kept.
     */
    byte[] finish(long millis) {
        try {
            if (!thread.join(java.time.Duration.ofMillis(millis))) {
                try {
                    in.close();
                } catch (IOException e) {
                    // closing is all we can do
                }
                thread.join(TimeUnit.SECONDS.toMillis(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            return Arrays.copyOf(kept, size);
        }
    }

    /** Whether more than {@code floodAt} bytes came (read after {@link #finish}). */
    boolean flooded() { return flooded; }

    /** Bytes that came in all (read after {@link #finish}). */
    synchronized long total() { return total; }
}
