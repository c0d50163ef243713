package dev.codellm.core;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkPoolTest {
    private static long threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix + "-") && t.isAlive()).count();
    }

    @Test
    void runsEveryJobOnAtMostTheGivenThreadsAndReportsProgress() {
        AtomicInteger running = new AtomicInteger(), peak = new AtomicInteger(), done = new AtomicInteger();
        List<Runnable> jobs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            jobs.add(() -> {
                peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
                running.decrementAndGet();
                done.incrementAndGet();
            });
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Progress p = new Progress("work", 40, new PrintStream(log, true, StandardCharsets.UTF_8), 1_000_000);
        WorkPool.runAll("pool-a", jobs, 3, p);
        assertEquals(40, done.get());
        assertTrue(peak.get() <= 3, "peak " + peak.get());
        assertEquals(40, p.done());
        List<String> lines = log.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.get(lines.size() - 1).startsWith("work 40/40 100%"), lines.toString());
        assertEquals(0, threadsNamed("pool-a"), "no worker outlives the call");
    }

    @Test
    void theFirstFailureStopsTheRestAndIsRethrownAsItIs() throws Exception {
        AtomicInteger started = new AtomicInteger();
        CountDownLatch blocked = new CountDownLatch(1);
        List<Runnable> jobs = new ArrayList<>();
        jobs.add(() -> {  // a long job that must be interrupted, not waited for
            started.incrementAndGet();
            blocked.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        jobs.add(() -> {
            started.incrementAndGet();
            try {
                assertTrue(blocked.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
            throw new CodellmException("endpoint failed: HTTP 503");
        });
        for (int i = 0; i < 20; i++) jobs.add(started::incrementAndGet);
        long t0 = System.nanoTime();
        CodellmException e = assertThrows(CodellmException.class, () -> WorkPool.runAll("pool-b", jobs, 2, null));
        assertEquals("endpoint failed: HTTP 503", e.getMessage());
        assertTrue((System.nanoTime() - t0) / 1e9 < 30, "the sleeping job was interrupted");
        assertEquals(2, started.get(), "queued jobs never start after a failure");
        assertEquals(0, threadsNamed("pool-b"));
        // Checked exceptions from a Callable are wrapped in a CodellmException with the cause kept.
        List<WorkPool.Outcome<Integer>> each = WorkPool.runEach("pool-c", List.<Callable<Integer>>of(() -> 1, () -> {
            throw new java.io.IOException("disk full");
        }, () -> 3), 2, null);
        assertEquals(List.of(true, false, true), each.stream().map(WorkPool.Outcome::ok).toList());
        assertEquals(3, each.get(2).value());
        assertEquals("disk full", each.get(1).error().getMessage());
    }

    @Test
    void runEachRunsEveryJobWhateverTheOthersDo() {
        AtomicInteger ran = new AtomicInteger();
        List<Callable<String>> jobs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int id = i;
            jobs.add(() -> {
                ran.incrementAndGet();
                if (id % 3 == 0) throw new IllegalStateException("job " + id);
                return "ok " + id;
            });
        }
        Progress p = new Progress("each", 10, new PrintStream(new ByteArrayOutputStream()), 1_000_000);
        List<WorkPool.Outcome<String>> out = WorkPool.runEach("pool-d", jobs, 4, p);
        assertEquals(10, ran.get());
        assertEquals(10, p.done(), "failed jobs count as finished too");
        for (int i = 0; i < 10; i++) {
            if (i % 3 == 0) assertEquals("job " + i, out.get(i).error().getMessage());
            else assertEquals("ok " + i, out.get(i).value());
        }
        assertTrue(WorkPool.runEach("pool-e", List.<Callable<String>>of(), 4, null).isEmpty());
    }

    /**
     * Regression: the pool was only shut down, not awaited, so a worker could still be alive
     * (finishing its last task's bookkeeping, or just exiting) when the call returned.
     */
    @Test
    void everyWorkerThreadHasEndedWhenTheCallReturns() {
        for (int round = 0; round < 20; round++) {
            java.util.Set<Thread> workers = java.util.concurrent.ConcurrentHashMap.newKeySet();
            List<Callable<Integer>> jobs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int id = i;
                jobs.add(() -> {
                    workers.add(Thread.currentThread());
                    return id;
                });
            }
            WorkPool.runEach("pool-f", jobs, 4, null);
            for (Thread t : workers) assertFalse(t.isAlive(), "runEach returned while " + t.getName() + " was still running");
            workers.clear();
            List<Runnable> runs = new ArrayList<>();
            for (int i = 0; i < 8; i++) runs.add(() -> workers.add(Thread.currentThread()));
            WorkPool.runAll("pool-g", runs, 4, null);
            for (Thread t : workers) assertFalse(t.isAlive(), "runAll returned while " + t.getName() + " was still running");
        }
    }
}
