package dev.codellm.model.bench;

import dev.codellm.model.kernels.Parallel;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Cost of one parallel-loop dispatch (what every matmul of the forward pass pays), the spinning
 * {@link Parallel} against the ExecutorService pool it replaced ({@link ExecutorPool}), side by
 * side in one run, alternating REPEATS rounds. Each loop has threads × 4 empty chunks, as a matmul
 * has; the caller then works alone for GAP microseconds (the serial work between two matmuls:
 * norms, RoPE, the residual add), which decides whether the workers are still spinning. Prints
 * the median wall nanoseconds per dispatch, the ratio old / new and the CPU nanoseconds all threads
 * spent per dispatch (the caller's gap excluded; spinning workers show here).
 * Usage (scripts/bench-pool.sh): PoolBench [threads=2] [gaps µs=0,20,5000] [repeats=5] [seconds=1].
 */
public final class PoolBench {
    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int[] gaps = Arrays.stream((args.length > 1 ? args[1] : "0,20,5000").split(",")).mapToInt(Integer::parseInt).toArray();
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        double seconds = args.length > 3 ? Double.parseDouble(args[3]) : 1;
        System.out.printf(Locale.ROOT, "threads %d, %d chunks per dispatch, spin %d µs, load average %.2f%n", threads, threads * 4,
                Parallel.SPIN_NANOS / 1000, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.println("| caller's serial gap | old ns/dispatch (median wall) | new | old/new (spread) | old CPU ns/dispatch | new CPU ns/dispatch |");
        System.out.println("|---:|---:|---:|---:|---:|---:|");
        try (ExecutorPool old = new ExecutorPool(threads); Parallel pool = new Parallel(threads)) {
            for (int gap : gaps) {
                List<double[]> o = new ArrayList<>(), n = new ArrayList<>();
                double s = gap >= 1000 ? Math.max(seconds, gap * 2000e-6) : seconds;
                for (int r = 0; r < repeats; r++) {
                    o.add(time(() -> old.forRange(threads * 4, 1, (a, b) -> {}), gap, s));
                    n.add(time(() -> pool.forRange(threads * 4, 1, (a, b) -> {}), gap, s));
                }
                double[] ratios = new double[repeats];
                for (int r = 0; r < repeats; r++) ratios[r] = o.get(r)[0] / n.get(r)[0];
                Arrays.sort(ratios);
                System.out.printf(Locale.ROOT, "| %d µs | %.0f | %.0f | **%.1f** (%.1f–%.1f) | %.0f | %.0f |%n", gap, median(o, 0), median(n, 0),
                        ratios[repeats / 2], ratios[0], ratios[repeats - 1], median(o, 1), median(n, 1));
            }
        }
    }

    /**
     * {median wall ns, process CPU ns} per dispatch: the median of the dispatches' own durations
     * (a descheduled caller on a loaded machine inflates the mean, not the median), and the CPU of
     * all threads over the run minus the caller's CPU inside its gaps.
     */
    private static double[] time(Runnable dispatch, int gapMicros, double seconds) {
        for (int i = 0; i < 2000 && gapMicros < 1000; i++) dispatch.run();  // JIT warm-up
        long gapNanos = gapMicros * 1000L;
        long[] walls = new long[1 << 16];
        long c0 = cpu(), t0 = System.nanoTime(), gapCpu = 0;
        int reps = 0;
        while (System.nanoTime() - t0 < seconds * 1e9 && reps < walls.length) {
            long d0 = System.nanoTime();
            dispatch.run();
            long d1 = System.nanoTime();
            walls[reps++] = d1 - d0;
            if (gapNanos > 0) {  // the caller's serial work
                long g0 = THREADS.getCurrentThreadCpuTime();
                while (System.nanoTime() - d1 < gapNanos) Thread.onSpinWait();
                gapCpu += THREADS.getCurrentThreadCpuTime() - g0;
            }
        }
        long cpu = cpu() - c0 - gapCpu;
        long[] w = Arrays.copyOf(walls, reps);
        Arrays.sort(w);
        return new double[] {w[reps / 2], cpu / (double) reps};
    }

    private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double median(List<double[]> xs, int i) {
        double[] v = xs.stream().mapToDouble(x -> x[i]).sorted().toArray();
        return v[v.length / 2];
    }
}
