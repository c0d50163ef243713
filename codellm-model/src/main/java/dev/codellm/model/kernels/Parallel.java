package dev.codellm.model.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The forward pass's threads: {@code threads - 1} persistent workers plus the calling thread,
 * bound to one parallel loop at a time (as ggml's threadpool is bound to its graph). A dispatch
 * publishes one job and the workers, spinning on it, start within nanoseconds instead of being
 * woken from a queue (the ExecutorService this replaced cost microseconds per matmul, and a
 * generated token makes dozens of dispatches). Idle workers spin for {@link #SPIN_NANOS} (yielding
 * after the first 20 µs) and then park, so an idle server does not burn CPU; the next dispatch
 * unparks them.
 * <p>Work split: the index range is cut into chunks and each thread owns a contiguous slice of
 * them, which it runs front to back (a matmul thread streams one contiguous run of weight rows);
 * a thread whose slice is done takes chunks from the back of another's, so a thread slowed by a
 * noisy neighbour does not hold everyone up. {@code threads == 1} runs everything inline.
 */
public final class Parallel implements AutoCloseable {

    /** Body of a parallel loop: handles indices {@code [from, to)}. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    /**
     * How long an idle worker (and a caller waiting for the last chunk) spins before parking:
     * longer than the serial gaps between the matmuls of one forward pass (norms, RoPE: tens of
     * microseconds), short enough that a server between requests sleeps. {@code CODELLM_SPIN_US}
     * or {@code -Dcodellm.spinUs} overrides it (0: park at once).
     */
    public static final long SPIN_NANOS = spinMicros() * 1000;

    /**
     * After this much of the spin, a waiting thread yields its CPU on every turn instead of only
     * pausing: on a quiet machine yield returns at once (nothing else is runnable), on a loaded one
     * it lets the thread we wait for (or anyone) run instead of burning the time slice; a pure
     * spin there is what makes llama.cpp's 2-thread generation collapse under load.
     */
    private static final long YIELD_AFTER_NANOS = Math.min(SPIN_NANOS, 20_000);

    /** Chunks per thread: the unit of stealing (each thread's slice is this many chunks). */
    private static final int CHUNKS_PER_THREAD = 8;
    /** Longs between two threads' slice words (one cache line each). */
    private static final int PAD = 8;

    private static long spinMicros() {
        String s = System.getProperty("codellm.spinUs", System.getenv("CODELLM_SPIN_US"));
        if (s == null || s.isBlank()) return 200;
        try {
            long v = Long.parseLong(s.trim());
            if (v >= 0) return v;
        } catch (NumberFormatException e) {
            // fall through to the one-line complaint
        }
        throw new IllegalArgumentException("CODELLM_SPIN_US must be a whole number of microseconds >= 0, got '" + s + "'");
    }

    /**
     * One dispatch. Immutable apart from its counters, so a worker that wakes late and reads a
     * finished job finds every slice empty and does nothing (it can never run a chunk of the next
     * job with this job's body).
     */
    private static final class Job {
        final Range body;
        final int n, chunks, grain;
        /** Slice of thread t at index t·PAD: (next chunk from the front) << 32 | (end, exclusive). */
        final AtomicLongArray slices;
        final AtomicInteger done = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile Thread waiter;

        Job(Range body, int n, int chunks, int grain, int threads) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.grain = grain;
            this.slices = new AtomicLongArray(threads * PAD);
            for (int t = 0; t < threads; t++) {
                long from = (long) t * chunks / threads, to = (long) (t + 1) * chunks / threads;
                slices.set(t * PAD, from << 32 | to);
            }
        }

        /** Claims the next chunk from the front of slice s (its owner), or -1 when empty. */
        int takeFront(int s) {
            for (;;) {
                long v = slices.get(s * PAD);
                int lo = (int) (v >>> 32), hi = (int) v;
                if (lo >= hi) return -1;
                if (slices.compareAndSet(s * PAD, v, (long) (lo + 1) << 32 | hi)) return lo;
            }
        }

        /** Claims the last chunk of slice s (a thief), or -1 when empty. */
        int takeBack(int s) {
            for (;;) {
                long v = slices.get(s * PAD);
                int lo = (int) (v >>> 32), hi = (int) v;
                if (lo >= hi) return -1;
                if (slices.compareAndSet(s * PAD, v, (long) lo << 32 | (hi - 1))) return hi - 1;
            }
        }

        /** Thread {@code self}'s share: its own slice, then chunks taken from the others' backs. */
        void work(int self, int threads) {
            for (int c; (c = takeFront(self)) >= 0; ) run(c);
            for (int k = 1; k < threads; k++) {
                int victim = (self + k) % threads;
                for (int c; (c = takeBack(victim)) >= 0; ) run(c);
            }
        }

        private void run(int c) {
            try {
                int from = bound(c), to = bound(c + 1);
                if (failure.get() == null) body.run(from, to);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                if (done.incrementAndGet() == chunks) {
                    Thread w = waiter;
                    if (w != null) LockSupport.unpark(w);
                }
            }
        }

        /**
         * Start of chunk c: c/chunks of the range rounded down to a multiple of the grain (the
         * bounds are at least a grain apart, so no chunk is empty), n for c == chunks.
         */
        private int bound(int c) {
            if (c == chunks) return n;
            int b = (int) ((long) c * n / chunks);
            return b - b % grain;
        }

        boolean finished() { return done.get() == chunks; }
    }

    /** Published to the workers to make them exit. */
    private static final Job CLOSED = new Job((a, b) -> {}, 0, 0, 1, 0);
    private static final Job IDLE = new Job((a, b) -> {}, 0, 0, 1, 0);

    private final int threads;
    private final Worker[] workers;
    private volatile Job current = IDLE;
    /** Set while the owning thread is inside a dispatch: a nested forRange runs inline. */
    private boolean active;
    private volatile boolean closed;
    private volatile long dispatches;  // written under the monitor, read by anyone

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    /** The default: one thread per available processor. */
    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    public int threads() { return threads; }

    /** Parallel loops dispatched to the workers so far (inline runs are not counted). */
    public long dispatches() { return dispatches; }

    /** The worker threads (for tests: that they park when idle and end on close). */
    java.util.List<Thread> workerThreads() { return java.util.List.of(workers); }

    /**
     * Runs {@code body} over {@code [0, n)} in chunks of at least {@code grain} indices that start
     * at multiples of {@code grain} (one chunk when n is smaller).
     */
    public void forRange(int n, int grain, Range body) {
        if (n <= 0) return;
        int chunks = Math.max(1, Math.min(threads * CHUNKS_PER_THREAD, n / Math.max(1, grain)));
        if (threads == 1 || chunks == 1 || Thread.currentThread() instanceof Worker w && w.pool() == this) {
            body.run(0, n);
            return;
        }
        synchronized (this) {
            if (active) {  // called from inside a loop body on the calling thread
                body.run(0, n);
                return;
            }
            if (closed) throw new IllegalStateException("thread pool is closed");
            active = true;
            try {
                dispatch(new Job(body, n, chunks, Math.max(1, grain), threads));
            } finally {
                active = false;
            }
        }
    }

    private void dispatch(Job job) {
        dispatches++;
        current = job;
        for (Worker w : workers) if (w.parked) LockSupport.unpark(w);
        job.work(0, threads);
        if (!job.finished()) awaitDone(job);
        Throwable t = job.failure.get();
        if (t instanceof RuntimeException re) throw re;
        if (t instanceof Error e) throw e;
        if (t != null) throw new RuntimeException(t);
    }

    /** The caller's wait for chunks still running on workers: a bounded spin, then park until the last one ends. */
    private static void awaitDone(Job job) {
        long start = System.nanoTime();
        boolean yielding = false;
        for (int spin = 0; !job.finished(); spin++) {
            if (yielding) Thread.yield();
            else Thread.onSpinWait();
            if ((spin & 63) != 63) continue;
            long waited = System.nanoTime() - start;
            if (waited > SPIN_NANOS) break;
            yielding = waited > YIELD_AFTER_NANOS;
        }
        job.waiter = Thread.currentThread();
        while (!job.finished()) LockSupport.park(job);
    }

    /**
     * Wall nanoseconds per dispatch of an empty loop over {@code threads} indices (each thread runs
     * one): the fixed cost every parallel matmul pays, as {@code bench --json} reports it.
     */
    public double measureDispatchNanos(int reps) {
        if (threads == 1) return 0;
        Range empty = (a, b) -> {};
        for (int i = 0; i < Math.min(reps, 1000); i++) forRange(threads, 1, empty);  // warm up (JIT, workers awake)
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) forRange(threads, 1, empty);
        return (System.nanoTime() - t0) / (double) reps;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
            current = CLOSED;
        }
        for (Worker w : workers) LockSupport.unpark(w);
        boolean interrupted = false;
        for (Worker w : workers) {
            while (w.isAlive()) {
                try {
                    w.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** A worker: waits for a job (spin, then park), runs its share, waits for the next. */
    private final class Worker extends Thread {
        private final int index;
        volatile boolean parked;

        Worker(int index) {
            super("codellm-worker-" + index);
            this.index = index;
            setDaemon(true);
        }

        Parallel pool() { return Parallel.this; }

        @Override
        public void run() {
            Job seen = IDLE;
            for (;;) {
                Job j = await(seen);
                if (j == CLOSED) return;
                seen = j;
                j.work(index, threads);
            }
        }

        private Job await(Job seen) {
            long start = 0;
            boolean yielding = false;
            for (int spin = 0; ; spin++) {
                Job j = current;
                if (j != seen) return j;
                if (yielding) Thread.yield();
                else Thread.onSpinWait();
                if ((spin & 63) != 63) continue;
                long now = System.nanoTime();
                if (start == 0) start = now;
                else if (now - start > SPIN_NANOS) break;
                else yielding = now - start > YIELD_AFTER_NANOS;
            }
            for (;;) {  // parked is set before the last look, and the dispatcher reads it after publishing
                parked = true;
                Job j = current;
                if (j != seen) {
                    parked = false;
                    return j;
                }
                LockSupport.park(this);
                parked = false;
            }
        }
    }
}
