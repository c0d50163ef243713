package dev.codellm.model.llama;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.model.gguf.Quantize;
import dev.codellm.model.kernels.NativeKernels;
import dev.codellm.model.kernels.UseKernels;
import dev.codellm.model.kernels.WeightFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The blocked attention (key tiles, online softmax; Java and native) against the attention it
 * replaced: for each query, every score of the whole context, then one softmax, then Σ p·v, here
 * in double over the same decoded cache rows. Query blocks start anywhere (a chunk after an
 * earlier one), are shorter or longer than a key tile, and span tile edges; heads sit at an
 * offset inside wider rows, as in a real cache; the scores are large enough (×3 queries) that a
 * missed max rescale would show.
 */
class FlashAttentionTest {

    @ParameterizedTest
    @CsvSource({"F32, 128", "F32, 8", "F16, 128", "F16, 40", "Q8_0, 128", "Q8_0, 64", "Q4_0, 128"})
    @UseKernels(UseKernels.Path.NATIVE)
    void nativeAndJavaBlockedAttentionEqualTheOneSoftmaxLoop(KvType type, int hd) {
        check(type, hd, true);
    }

    @ParameterizedTest
    @CsvSource({"F32, 128", "F16, 40", "Q8_0, 64", "Q4_0, 128"})
    @UseKernels(UseKernels.Path.JAVA)
    void javaBlockedAttentionEqualsTheOneSoftmaxLoop(KvType type, int hd) {
        check(type, hd, false);
    }

    /**
     * Regression (f9b8f94): the Java path keeps its scratch per thread and grows it on demand. A
     * thread's call with a wide head and one query sized acc (nq·hd) large enough for a later call
     * with a narrow head and many queries, but max/sum (nq) too short: the second call threw
     * ArrayIndexOutOfBounds (seen only in SentencePieceFineTuneTest under CODELLM_ISA=java). The
     * sequence runs on a fresh thread, so its scratch starts empty whatever ran before in this JVM,
     * and each call is held to the one-softmax loop, then the wide head again with more queries.
     */
    @Test
    void javaScratchGrownByAWideHeadServesANarrowHeadWithMoreQueries() throws InterruptedException {
        int[][] calls = {{128, 0, 1}, {8, 3, 16}, {128, 10, 20}};  // head size, first position, query count
        Throwable[] failure = new Throwable[1];
        Thread fresh = new Thread(() -> {
            try {
                SplittableRandom rnd = new SplittableRandom(23);
                for (int[] c : calls) attendAndCompare(KvType.F32, c[0], c[1], c[2], rnd);
            } catch (Throwable t) {
                failure[0] = t;
            }
        });
        fresh.start();
        fresh.join();
        if (failure[0] != null) throw new AssertionError("call sequence " + Arrays.deepToString(calls), failure[0]);
    }

    /** One Java call of nq queries from position first over a 2-head cache of head size hd, against the reference. */
    private static void attendAndCompare(KvType type, int hd, int first, int nq, SplittableRandom rnd) {
        int heads = 2, kvDim = heads * hd, positions = first + nq, head = 1;
        long rowBytes = type.rowBytes(kvDim);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate(rowBytes * positions, 64), v = arena.allocate(rowBytes * positions, 64);
            float[][] kd = new float[positions][], vd = new float[positions][];
            for (int p = 0; p < positions; p++) {
                kd[p] = write(type, k, p, rowBytes, gaussian(rnd, kvDim, 1));
                vd[p] = write(type, v, p, rowBytes, gaussian(rnd, kvDim, 1));
            }
            long off = type.rowBytes((long) head * hd);
            float scale = (float) (1 / Math.sqrt(hd));
            float[] q = gaussian(rnd, nq * hd, 3), out = new float[nq * hd];
            double[][] want = new double[nq][];
            for (int i = 0; i < nq; i++) want[i] = reference(kd, vd, head * hd, hd, first + i, q, i * hd, scale);
            FlashAttention.attendJava(type, null, k.asSlice(off), v.asSlice(off), rowBytes, hd, first, nq, q, 0, hd, scale, out, 0, hd);
            compare(want, out, 0, hd, hd, type + " java hd " + hd + " first " + first + " nq " + nq);
        }
    }

    /**
     * Generation's one-query kernel (every cache encoding, head size 64 or 128: output kept in
     * registers, rows converted as read) must give bit for bit what the blocked loop gives the same query: the
     * second query of a two-query block at first - 1 runs that loop with the same keys.
     */
    @ParameterizedTest
    @CsvSource({"F16, 128", "F16, 64", "F32, 128", "F32, 64", "F16, 40", "Q8_0, 128", "Q8_0, 64", "Q4_0, 128", "Q4_0, 64"})
    @UseKernels(UseKernels.Path.NATIVE)
    void oneQueryKernelEqualsTheBlockedLoopBitForBit(KvType type, int hd) {
        int heads = 4, kvDim = heads * hd, positions = 300, head = 2;
        long rowBytes = type.rowBytes(kvDim);
        SplittableRandom rnd = new SplittableRandom(5);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate(rowBytes * positions, 64), v = arena.allocate(rowBytes * positions, 64);
            for (int p = 0; p < positions; p++) {
                write(type, k, p, rowBytes, gaussian(rnd, kvDim, 1));
                write(type, v, p, rowBytes, gaussian(rnd, kvDim, 1));
            }
            long off = type.rowBytes((long) head * hd);
            MemorySegment kh = k.asSlice(off), vh = v.asSlice(off);
            float scale = (float) (1 / Math.sqrt(hd));
            for (int first : new int[] {1, 3, 4, 31, 32, 33, 100, 255, 299}) {
                float[] q = gaussian(rnd, 2 * hd, 3);  // query 0 at first - 1, query 1 at first
                float[] one = new float[hd], two = new float[2 * hd];
                FlashAttention.attend(type, null, kh, vh, rowBytes, hd, first, 1, q, hd, hd, scale, one, 0, hd);
                FlashAttention.attend(type, null, kh, vh, rowBytes, hd, first - 1, 2, q, 0, hd, scale, two, 0, hd);
                for (int d = 0; d < hd; d++) {
                    assertTrue(Float.floatToRawIntBits(one[d]) == Float.floatToRawIntBits(two[hd + d]),
                            type + " hd " + hd + " position " + first + " dim " + d + ": " + one[d] + " vs " + two[hd + d]);
                }
            }
        }
    }

    private static void check(KvType type, int hd, boolean nativeToo) {
        int heads = 3, kvDim = heads * hd, positions = 150, head = 1;
        long rowBytes = type.rowBytes(kvDim);
        SplittableRandom rnd = new SplittableRandom(11);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate(rowBytes * positions, 64), v = arena.allocate(rowBytes * positions, 64);
            float[][] kd = new float[positions][], vd = new float[positions][];
            for (int p = 0; p < positions; p++) {
                kd[p] = write(type, k, p, rowBytes, gaussian(rnd, kvDim, 1));
                vd[p] = write(type, v, p, rowBytes, gaussian(rnd, kvDim, 1));
            }
            WeightFormat fmt = type.quantized() ? WeightFormat.forGgmlId(type.ggml().id()) : null;
            long off = type.rowBytes((long) head * hd);
            MemorySegment kh = k.asSlice(off), vh = v.asSlice(off);
            float scale = (float) (1 / Math.sqrt(hd));
            int qStride = hd + 7, oStride = hd + 5;
            double worst = 0;
            for (int[] fn : new int[][] {{0, 1}, {0, 32}, {0, 37}, {5, 1}, {31, 2}, {40, 32}, {64, 17}, {100, 50}, {149, 1}}) {
                int first = fn[0], nq = fn[1];
                float[] q = gaussian(rnd, 3 + nq * qStride, 3);
                double[][] want = new double[nq][];
                for (int i = 0; i < nq; i++) want[i] = reference(kd, vd, head * hd, hd, first + i, q, 3 + i * qStride, scale);
                float[] java = new float[2 + nq * oStride];
                NativeKernels.setEnabled(false);
                FlashAttention.attend(type, fmt, kh, vh, rowBytes, hd, first, nq, q, 3, qStride, scale, java, 2, oStride);
                worst = Math.max(worst, compare(want, java, 2, oStride, hd, type + " java first " + first + " nq " + nq));
                if (nativeToo) {
                    NativeKernels.setEnabled(true);
                    float[] nat = new float[2 + nq * oStride];
                    FlashAttention.attend(type, fmt, kh, vh, rowBytes, hd, first, nq, q, 3, qStride, scale, nat, 2, oStride);
                    worst = Math.max(worst, compare(want, nat, 2, oStride, hd, type + " native first " + first + " nq " + nq));
                }
            }
            System.out.printf("flash attention %s hd %d: worst |blocked - one-softmax loop| %.2e%n", type, hd, worst);
        }
    }

    /** Stores x as row p in the type's encoding; returns the row as the cache holds it (decoded). */
    private static float[] write(KvType type, MemorySegment s, int p, long rowBytes, float[] x) {
        long o = p * rowBytes;
        float[] back = new float[x.length];
        switch (type) {
            case F32 -> {
                MemorySegment.copy(x, 0, s, ValueLayout.JAVA_FLOAT, o, x.length);
                back = x.clone();
            }
            case F16 -> {
                for (int i = 0; i < x.length; i++) {
                    short h = Float.floatToFloat16(x[i]);
                    s.set(ValueLayout.JAVA_SHORT, o + 2L * i, h);
                    back[i] = Float.float16ToFloat(h);
                }
            }
            default -> {
                byte[] b = Quantize.quantize(type.ggml(), x);
                MemorySegment.copy(b, 0, s, ValueLayout.JAVA_BYTE, o, b.length);
                WeightFormat.forGgmlId(type.ggml().id()).dequant(MemorySegment.ofArray(b), 0, back, 0, x.length);
            }
        }
        return back;
    }

    /** The loop blocked attention replaced, in double: all scores, their max, one softmax, Σ p·v. */
    private static double[] reference(float[][] kd, float[][] vd, int off, int hd, int upTo, float[] q, int qo, float scale) {
        double[] s = new double[upTo + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int p = 0; p <= upTo; p++) {
            double d = 0;
            for (int i = 0; i < hd; i++) d += (double) q[qo + i] * kd[p][off + i];
            s[p] = d * scale;
            max = Math.max(max, s[p]);
        }
        double sum = 0;
        for (int p = 0; p <= upTo; p++) sum += s[p] = Math.exp(s[p] - max);
        double[] out = new double[hd];
        for (int p = 0; p <= upTo; p++) for (int i = 0; i < hd; i++) out[i] += s[p] / sum * vd[p][off + i];
        return out;
    }

    private static double compare(double[][] want, float[] got, int oo, int oStride, int hd, String what) {
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            for (int d = 0; d < hd; d++) {
                double e = Math.abs(want[i][d] - got[oo + i * oStride + d]);
                worst = Math.max(worst, e);
                assertTrue(e < 2e-5, what + ": query " + i + " dim " + d + " off by " + e);
            }
        }
        return worst;
    }

    private static float[] gaussian(SplittableRandom rnd, int n, double std) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextGaussian() * std);
        return x;
    }
}
