package dev.codellm.model.bench;

import dev.codellm.model.kernels.NativeKernels;
import dev.codellm.model.kernels.Parallel;
import dev.codellm.model.kernels.WeightFormat;
import dev.codellm.model.kernels.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One Code Llama 7B FFN matrix (11008 × 4096) per weight type: matrix × vector (decode) and
 * matrix × 64 tokens (prompt), Java and native kernels. Besides matmuls per second, JMH reports
 * the secondary rates {@code weightBytes} (bytes of weights per second: ÷ 1e9 for GB/s) and
 * {@code flops} (2·rows·cols·batch per op: ÷ 1e9 for GFLOP/s) from {@link Rates}. Run:
 * scripts/jmh-kernels.sh (e.g. {@code -p type=Q4_K,Q5_K,Q6_K -p kernels=java -p batch=1}).
 * On a loaded machine prefer {@link KernelCpuTime}, which divides by thread CPU time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class KernelBench {
    static final int ROWS = 11008, COLS = 4096;

    @Param({"Q4_0", "Q8_0", "Q4_K", "Q5_K", "Q6_K", "F16", "BF16", "F32"})
    public String type;

    @Param({"native", "java"})
    public String kernels;

    @Param({"1", "2"})
    public int threads;

    @Param({"1", "64"})
    public int batch;

    WeightMatrix matrix;
    Parallel parallel;
    float[] x;
    float[] y;

    @Setup(Level.Trial)
    public void setUp() {
        WeightFormat f = WeightFormat.forName(type);
        long bytes = f.rowBytes(COLS) * ROWS;
        MemorySegment w = Arena.ofAuto().allocate(bytes, 64);
        SplittableRandom rnd = new SplittableRandom(1);
        // Random bits with every 16-bit half kept finite and small (valid scales for every type).
        for (long o = 0; o + 8 <= bytes; o += 8) w.set(ValueLayout.JAVA_LONG_UNALIGNED, o, rnd.nextLong() & 0x3BFF3BFF3BFF3BFFL);
        matrix = new WeightMatrix(type, w, f, ROWS, COLS);
        parallel = new Parallel(threads);
        x = new float[batch * COLS];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        y = new float[batch * ROWS];
        NativeKernels.setEnabled(kernels.equals("native"));
        System.out.printf("%n%s: %d weight bytes, native %s%n", type, bytes, NativeKernels.enabled() && NativeKernels.supports(f));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        parallel.close();
    }

    /** Per-op counters JMH turns into rates: weight bytes and floating-point operations per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        public long weightBytes;
        public long flops;
    }

    @Benchmark
    public float[] matmul(Rates rates) {
        matrix.matmul(x, y, batch, parallel);
        rates.weightBytes += matrix.byteSize();
        rates.flops += 2L * ROWS * COLS * batch;
        return y;
    }
}
