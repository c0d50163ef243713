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
 * a {@link CodellmException} says so. No thread outlives the call: every return and throw waits
 * for the worker threads to end (up to {@value #STOP_WAIT_SECONDS} s for interrupted jobs to
 * return; the threads are daemons in case one never does).
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
        List<Thread> workers = new java.util.concurrent.CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, jobs.size())), r -> {
            Thread t = new Thread(r, name + "-" + counter.incrementAndGet());
            t.setDaemon(true);
            workers.add(t);
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
                    stop(pool, futures, workers);
                    throw rethrow(e.getCause());
                }
            }
        } catch (InterruptedException e) {
            stop(pool, futures, workers);
            Thread.currentThread().interrupt();
            throw new CodellmException(name + " interrupted");
        } finally {
            // shutdown() alone lets the threads end after the call returned; wait for them, so
            // nothing of the job is left running when the caller goes on (or the JVM exits).
            pool.shutdown();
            awaitEnd(workers);
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

    private static void stop(ExecutorService pool, List<? extends Future<?>> futures, List<Thread> workers) {
        futures.forEach(f -> f.cancel(true));
        pool.shutdownNow();
        awaitEnd(workers);
    }

    /**
     * Joins every worker thread, up to {@value #STOP_WAIT_SECONDS} s in all, keeping the caller's
     * interrupt. Joined, not {@code awaitTermination}: the executor reports termination while its
     * last thread is still on its way out.
     */
    private static void awaitEnd(List<Thread> workers) {
        boolean interrupted = Thread.interrupted();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_WAIT_SECONDS);
        for (Thread t : workers) {
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private static RuntimeException rethrow(Throwable cause) {
        if (cause instanceof RuntimeException re) return re;
        if (cause instanceof Error err) throw err;
        return new CodellmException(String.valueOf(cause.getMessage() == null ? cause : cause.getMessage()), cause);
    }
}
