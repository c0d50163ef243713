package dev.codellm.model.bench;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The thread pool the forward pass used before {@code Parallel} (kept here only so
 * {@link PoolBench} can measure both side by side in one run): every dispatch hands its chunks to
 * an ExecutorService, whose parked workers are woken through its queue.
 * <p>Original description: a fixed set of worker threads that split an index range into chunks claimed dynamically (so a
 * thread slowed by a noisy neighbour does not hold everyone up). The calling thread works too, so
 * {@code threads == 1} runs everything inline with no hand-off cost.
 */
final class ExecutorPool implements AutoCloseable {

    /** Body of a parallel loop: handles indices {@code [from, to)}. */
    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }

    private final int threads;
    private final ExecutorService pool;

    ExecutorPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "codellm-worker");
            t.setDaemon(true);
            return t;
        });
    }

    public int threads() { return threads; }

    /** Runs {@code body} over {@code [0, n)} in chunks of at least {@code grain} indices. */
    public void forRange(int n, int grain, Range body) {
        if (n <= 0) return;
        int chunks = Math.max(1, Math.min(threads * 4, (n + grain - 1) / Math.max(1, grain)));
        if (threads == 1 || chunks == 1) {
            body.run(0, n);
            return;
        }
        int chunkSize = (n + chunks - 1) / chunks;
        AtomicInteger next = new AtomicInteger();
        AtomicInteger running = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread caller = Thread.currentThread();
        Runnable worker = () -> {
            try {
                for (int c; (c = next.getAndIncrement()) < chunks; ) {
                    int from = c * chunkSize;
                    body.run(from, Math.min(n, from + chunkSize));
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                next.set(chunks);
            }
        };
        int helpers = Math.min(threads - 1, chunks - 1);
        running.set(helpers);
        for (int i = 0; i < helpers; i++) {
            pool.execute(() -> {
                try { worker.run(); } finally {
                    if (running.decrementAndGet() == 0) LockSupport.unpark(caller);
                }
            });
        }
        worker.run();
        // Brief spin first: matmul chunks end within microseconds of each other.
        for (int spin = 0; running.get() > 0 && spin < 20_000; spin++) Thread.onSpinWait();
        while (running.get() > 0) LockSupport.parkNanos(50_000);
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) throw re;
        if (t instanceof Error e) throw e;
        if (t != null) throw new RuntimeException(t);
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }
}
