package dev.codellm.model.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The forward pass's thread pool: coverage of the index range, failures, nesting, idling and shutdown. */
class ParallelTest {

    @Test
    void everyIndexRunsExactlyOnceForOddSizesGrainsAndThreadCounts() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            try (Parallel par = new Parallel(threads)) {
                for (int n : new int[] {1, 2, 3, 7, 17, 101, 1001, 65_537}) {
                    for (int grain : new int[] {1, 3, 16, 5000}) {
                        for (int rep = 0; rep < 20; rep++) {  // many dispatches: workers reuse job state
                            AtomicIntegerArray hits = new AtomicIntegerArray(n);
                            par.forRange(n, grain, (from, to) -> {
                                assertTrue(from < to, "empty chunk");
                                for (int i = from; i < to; i++) hits.incrementAndGet(i);
                            });
                            for (int i = 0; i < n; i++) {
                                assertEquals(1, hits.get(i), "threads " + threads + " n " + n + " grain " + grain + " index " + i);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void chunksAreAtLeastTheGrainAndUseTheWorkers() {
        try (Parallel par = new Parallel(3)) {
            ConcurrentHashMap<Thread, Boolean> seen = new ConcurrentHashMap<>();
            for (int rep = 0; rep < 200 && seen.size() < 3; rep++) {
                par.forRange(1000, 10, (from, to) -> {
                    assertTrue(to - from >= 10 || to == 1000, "chunk " + from + ".." + to);
                    seen.put(Thread.currentThread(), true);
                    long until = System.nanoTime() + 200_000;
                    while (System.nanoTime() < until) Thread.onSpinWait();
                });
            }
            assertEquals(3, seen.size(), "the caller and both workers ran chunks");
            assertTrue(par.dispatches() > 0);
        }
    }

    @Test
    void aFailureInAnyChunkReachesTheCallerAndThePoolStaysUsable() {
        try (Parallel par = new Parallel(2)) {
            for (int failAt : new int[] {0, 500, 999}) {  // the caller's slice, the middle, the worker's slice
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> par.forRange(1000, 1, (from, to) -> {
                    if (from <= failAt && failAt < to) throw new IllegalStateException("boom at " + failAt);
                }));
                assertEquals("boom at " + failAt, e.getMessage());
            }
            AssertionError err = new AssertionError("an Error too");
            assertSame(err, assertThrows(AssertionError.class, () -> par.forRange(64, 1, (from, to) -> {
                if (to == 64) throw err;
            })));
            AtomicIntegerArray hits = new AtomicIntegerArray(100);
            par.forRange(100, 1, (from, to) -> { for (int i = from; i < to; i++) hits.incrementAndGet(i); });
            for (int i = 0; i < 100; i++) assertEquals(1, hits.get(i));
        }
    }

    @Test
    void aLoopInsideALoopBodyRunsInline() {
        try (Parallel par = new Parallel(2)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(64 * 8);
            par.forRange(64, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    int base = i * 8;
                    par.forRange(8, 1, (a, b) -> { for (int j = a; j < b; j++) hits.incrementAndGet(base + j); });
                }
            });
            for (int i = 0; i < hits.length(); i++) assertEquals(1, hits.get(i));
        }
    }

    @Test
    void idleWorkersParkAfterTheBoundedSpin() throws InterruptedException {
        try (Parallel par = new Parallel(3)) {
            par.forRange(100, 1, (a, b) -> {});
            Thread.sleep(Parallel.SPIN_NANOS / 1_000_000 + 100);
            for (Thread w : par.workerThreads()) {
                for (int i = 0; i < 100 && w.getState() != Thread.State.WAITING; i++) Thread.sleep(10);
                assertEquals(Thread.State.WAITING, w.getState(), w.getName() + " still spinning");
            }
            AtomicIntegerArray hits = new AtomicIntegerArray(100);  // and a dispatch wakes them
            par.forRange(100, 1, (from, to) -> { for (int i = from; i < to; i++) hits.incrementAndGet(i); });
            for (int i = 0; i < 100; i++) assertEquals(1, hits.get(i));
        }
    }

    @Test
    void closeEndsEveryWorkerAndRefusesLaterLoops() {
        Parallel par = new Parallel(4);
        par.forRange(1000, 1, (a, b) -> {});
        List<Thread> workers = par.workerThreads();
        assertEquals(3, workers.size());
        par.close();
        for (Thread w : workers) assertFalse(w.isAlive(), w.getName() + " alive after close");
        par.close();  // twice is fine
        assertThrows(IllegalStateException.class, () -> par.forRange(1000, 1, (a, b) -> {}));
        Parallel idle = new Parallel(2);  // closed while parked, never used
        List<Thread> idleWorkers = idle.workerThreads();
        idle.close();
        for (Thread w : idleWorkers) assertFalse(w.isAlive());
    }

    @Test
    void badThreadCountIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Parallel(0));
        assertEquals("threads must be >= 1, got 0", e.getMessage());
    }
}
