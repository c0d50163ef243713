package dev.codellm.train;

import dev.codellm.train.data.Example;
import dev.codellm.train.data.ExampleSource;
import dev.codellm.train.model.Kernels;
import dev.codellm.train.model.TrainableLlama;
import dev.codellm.model.llama.LlamaConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Training throughput on random tokens for a model shape: tokens/s and achieved GFLOP/s, next to
 * the machine's FMA peak measured the same way (an in-cache vectorised dot product per thread).
 */
public final class TrainBench {
    public record Report(LlamaConfig config, int threads, double tokensPerSecond, double gflops, double peakGflops) {}

    private TrainBench() {}

    public static Report run(LlamaConfig c, int seqLen, int batch, int steps, int threads, PrintStream log) throws java.io.IOException {
        TrainableLlama m = new TrainableLlama(c);
        m.initRandom(1);
        ExampleSource random = new ExampleSource() {
            @Override public Example get(long index) {
                Random r = new Random(index);
                int[] t = new int[seqLen], y = new int[seqLen];
                for (int i = 0; i < seqLen; i++) { t[i] = r.nextInt(c.vocabSize()); y[i] = r.nextInt(c.vocabSize()); }
                float[] w = new float[seqLen];
                Arrays.fill(w, 1f);
                return new Example(t, y, w, seqLen);
            }
            @Override public long size() { return -1; }
        };
        Path out = Files.createTempDirectory("codellm-train-bench");
        try {
            TrainOptions o = new TrainOptions(seqLen, batch, 1, steps + 1, 1e-3, 1e-4, 1, 0.1, 1.0, threads, 1, 0, 0, 3600);
            // one warm-up step (JIT), then the timed run
            new Trainer(m, null, random, List.of(), new TrainOptions(seqLen, batch, 1, 1, 1e-3, 1e-4, 1, 0.1, 1, threads, 1, 0, 0, 3600),
                    out.resolve("warm"), "bench", new PrintStream(java.io.OutputStream.nullOutputStream())).run();
            Trainer.Result r = new Trainer(m, null, random, List.of(), o, out.resolve("run"), "bench", log).run();
            double peak = peakGflops(threads);
            return new Report(c, threads, r.tokensPerSecond(), r.gflops(), peak);
        } finally {
            try (var s = Files.walk(out)) { s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete()); }
        }
    }

    /** FMA throughput with 8 independent accumulator chains per thread on register-resident data. */
    public static double peakGflops(int threads) {
        Thread[] ts = new Thread[threads];
        long[] flops = new long[threads];
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts[t] = new Thread(() -> flops[id] = fmaLoop(1_500_000_000L));
            ts[t].start();
        }
        for (Thread t : ts) { try { t.join(); } catch (InterruptedException e) { Thread.currentThread().interrupt(); } }
        double secs = (System.nanoTime() - t0) / 1e9;
        long total = 0;
        for (long f : flops) total += f;
        return total / secs / 1e9;
    }

    private static long fmaLoop(long nanos) {
        float[] acc = new float[8 * jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length()];
        long n = 0, end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) n += fmaBlock(acc, 2_000);
        return n + (acc[0] == 42f ? 1 : 0);
    }

    /** 8 independent FMA chains for iters rounds; returns the flops done. Small so C2 compiles it whole. */
    private static long fmaBlock(float[] acc, int iters) {
        var sp = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
        int l = sp.length();
        var x = jdk.incubator.vector.FloatVector.broadcast(sp, 0.999f);
        var y = jdk.incubator.vector.FloatVector.broadcast(sp, 1e-3f);
        var a0 = jdk.incubator.vector.FloatVector.fromArray(sp, acc, 0);
        var a1 = jdk.incubator.vector.FloatVector.fromArray(sp, acc, l);
        var a2 = jdk.incubator.vector.FloatVector.fromArray(sp, acc, 2 * l);
        var a3 = jdk.incubator.vector.FloatVector.fromArray(sp, acc, 3 * l);
        var a4 = jdk.incubator.vector.FloatVector.fromArray(sp, acc, 4 * l);
        var a5 = jdk.incubator.vector.FloatVector.fromArray(sp, acc, 5 * l);
        var a6 = jdk.incubator.vector.FloatVector.fromArray(sp, acc, 6 * l);
        var a7 = jdk.incubator.vector.FloatVector.fromArray(sp, acc, 7 * l);
        for (int i = 0; i < iters; i++) {
            a0 = a0.fma(x, y); a1 = a1.fma(x, y); a2 = a2.fma(x, y); a3 = a3.fma(x, y);
            a4 = a4.fma(x, y); a5 = a5.fma(x, y); a6 = a6.fma(x, y); a7 = a7.fma(x, y);
        }
        a0.intoArray(acc, 0); a1.intoArray(acc, l); a2.intoArray(acc, 2 * l); a3.intoArray(acc, 3 * l);
        a4.intoArray(acc, 4 * l); a5.intoArray(acc, 5 * l); a6.intoArray(acc, 6 * l); a7.intoArray(acc, 7 * l);
        return (long) iters * 8 * 2 * l;
    }

    public static String describe(Report r) {
        return String.format(Locale.ROOT, "%s | %d threads | %.0f tokens/s | %.2f GFLOP/s achieved | %.1f GFLOP/s FMA peak (%.0f%%)",
                r.config(), r.threads(), r.tokensPerSecond(), r.gflops(), r.peakGflops(), 100 * r.gflops() / r.peakGflops());
    }
}
