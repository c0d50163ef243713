package dev.codellm.data.teacher;

/**
 * At most {@code perMinute} request starts per minute, spread evenly (a request may start every
 * 60/perMinute seconds); shared by all worker threads. 0 or less means no limit.
 */
final class RateLimiter {
    private final long intervalNanos;
    private long next = System.nanoTime();

    RateLimiter(double perMinute) {
        this.intervalNanos = perMinute <= 0 ? 0 : (long) (60e9 / perMinute);
    }

    void acquire() throws InterruptedException {
        if (intervalNanos == 0) return;
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            if (next < now) next = now;
            wait = next - now;
            next += intervalNanos;
        }
        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }
}
