package dev.codellm.model.bench;

import dev.codellm.model.kernels.NativeKernels;
import dev.codellm.model.kernels.Parallel;
import dev.codellm.model.kernels.WeightFormat;
import dev.codellm.model.kernels.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Kernel speed per CPU-second of the calling thread (1 thread), for a shared, loaded machine
 * where JMH's wall-clock figures mean little: GB/s of weights = bytes / thread CPU time.
 * Usage: scripts/run-model-test-class.sh dev.codellm.model.bench.KernelCpuTime [types] [java|native] [batch] [seconds].
 */
public final class KernelCpuTime {
    public static void main(String[] args) {
        String[] types = (args.length > 0 ? args[0] : "Q4_0,Q8_0,Q4_K,Q5_K,Q6_K,F16").split(",");
        boolean nat = args.length > 1 && args[1].equals("native");
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        double seconds = args.length > 3 ? Double.parseDouble(args[3]) : 3;
        NativeKernels.setEnabled(nat);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        int rows = KernelBench.ROWS, cols = KernelBench.COLS;
        try (Parallel par = new Parallel(1)) {
            for (String type : types) {
                WeightFormat f = WeightFormat.forName(type);
                long bytes = f.rowBytes(cols) * rows;
                MemorySegment w = Arena.ofAuto().allocate(bytes, 64);
                SplittableRandom rnd = new SplittableRandom(1);
                for (long o = 0; o + 8 <= bytes; o += 8) w.set(ValueLayout.JAVA_LONG_UNALIGNED, o, rnd.nextLong() & 0x3BFF3BFF3BFF3BFFL);
                WeightMatrix m = new WeightMatrix(type, w, f, rows, cols);
                float[] x = new float[batch * cols], y = new float[batch * rows];
                for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                // Warm-up: until C2 has compiled the kernel (seconds of CPU on a loaded machine).
                for (long w0 = mx.getCurrentThreadCpuTime(); mx.getCurrentThreadCpuTime() - w0 < seconds * 1e9; ) m.matmul(x, y, batch, par);
                long c0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime();
                int reps = 0;
                while (mx.getCurrentThreadCpuTime() - c0 < seconds * 1e9) {
                    m.matmul(x, y, batch, par);
                    reps++;
                }
                double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e9, wall = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "%-5s %-6s batch %3d: %6.2f GB/s of weights per CPU-s, %6.1f GFLOP/s per CPU-s (cpu share %.2f)%n",
                        type, NativeKernels.enabled() && NativeKernels.supports(f) ? "native" : "java", batch,
                        reps * (double) bytes / cpu / 1e9, reps * 2.0 * rows * cols * batch / cpu / 1e9, cpu / wall);
            }
        }
    }
}
