package dev.codellm.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a list of independent jobs on a fixed number of threads and reports each finished job to
 * a {@link Progress}: the one worker pool behind generation, sandboxed testing, ground truth and
 * teacher calls. Two ways to treat a failing job:
 * <ul>
 *   <li>{@link #runAll}: the first failure stops the pool (running jobs are interrupted, queued
 *       ones never start) and is rethrown to the caller once every thread has stopped;</li>
 *   <li>{@link #runEach}: every job runs; each job's value or failure is returned in job order.</li>
 * </ul>
 * The caller's thread only waits; when it is interrupted the pool is stopped the same way and
 * a {@link CodellmException} says so. No thread outlives the call (threads are daemons, and the
 * call waits up to {@value #STOP_WAIT_SECONDS} s for interrupted jobs to return).
 */
public final class WorkPool {
    static final int STOP_WAIT_SECONDS = 30;

    /** One job's outcome in {@link #runEach}: its value, or the exception it threw. */
    public record Outcome<T>(T value, Throwable error) {
        public boolean ok() { return error == null; }
    }

    private WorkPool() {}

    /**
     * Runs every job; the first to throw stops the rest and its exception is rethrown
     * (a {@link RuntimeException} as it is, anything else wrapped in a CodellmException).
     *
     * @param progress stepped once per finished job; null for none
     */
    public static void runAll(String name, List<? extends Runnable> jobs, int threads, Progress progress) {
        List<Callable<Void>> calls = new ArrayList<>(jobs.size());
        for (Runnable r : jobs) calls.add(() -> { r.run(); return null; });
        run(name, calls, threads, progress, true);
    }

    /** Runs every job, whatever the others do; returns each job's outcome, in job order. */
    public static <T> List<Outcome<T>> runEach(String name, List<? extends Callable<T>> jobs, int threads, Progress progress) {
        return run(name, jobs, threads, progress, false);
    }

    private static <T> List<Outcome<T>> run(String name, List<? extends Callable<T>> jobs, int threads, Progress progress, boolean failFast) {
        List<Outcome<T>> outcomes = new ArrayList<>(jobs.size());
        if (jobs.isEmpty()) return outcomes;
        AtomicInteger counter = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, jobs.size())), r -> {
            Thread t = new Thread(r, name + "-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        CompletionService<T> done = new ExecutorCompletionService<>(pool);
        List<Future<T>> futures = new ArrayList<>(jobs.size());
        AtomicBoolean failed = new AtomicBoolean();  // set by the failing worker itself, so no queued job starts after it
        try {
            for (Callable<T> job : jobs) {
                futures.add(done.submit(() -> {
                    if (failFast && failed.get()) return null;
                    try {
                        return job.call();
                    } catch (Throwable t) {
                        failed.set(true);
                        throw t;
                    } finally {
                        if (progress != null) progress.step(1);
                    }
                }));
            }
            for (int i = 0; i < jobs.size(); i++) {
                Future<T> f = done.take();
                if (!failFast) continue;
                try {
                    f.get();
                } catch (ExecutionException e) {
                    stop(pool, futures);
                    throw rethrow(e.getCause());
                }
            }
        } catch (InterruptedException e) {
            stop(pool, futures);
            Thread.currentThread().interrupt();
            throw new CodellmException(name + " interrupted");
        } finally {
            pool.shutdown();
            if (progress != null) progress.close(); // a bar left by a failure ends its line before the error
        }
        for (Future<T> f : futures) {
            try {
                outcomes.add(new Outcome<>(f.get(), null));
            } catch (ExecutionException e) {
                outcomes.add(new Outcome<>(null, e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CodellmException(name + " interrupted");
            }
        }
        return outcomes;
    }

    private static void stop(ExecutorService pool, List<? extends Future<?>> futures) {
        futures.forEach(f -> f.cancel(true));
        pool.shutdownNow();
        try {
            pool.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static RuntimeException rethrow(Throwable cause) {
        if (cause instanceof RuntimeException re) return re;
        if (cause instanceof Error err) throw err;
        return new CodellmException(String.valueOf(cause.getMessage() == null ? cause : cause.getMessage()), cause);
    }
}
