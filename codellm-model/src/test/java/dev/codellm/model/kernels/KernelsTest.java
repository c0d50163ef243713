package dev.codellm.model.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.model.gguf.Dequant;
import dev.codellm.model.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every Java kernel against the gguf module's reference {@link Dequant}, on random valid blocks
 * (NativeKernelsTest covers the native path).
 */
@UseKernels(UseKernels.Path.JAVA)
class KernelsTest {

    /** Random bytes of a valid tensor: any bit pattern is a valid quant, except scale halves must be finite. */
    static MemorySegment randomWeights(GgmlType type, int rows, int cols, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long bytes = type.rowBytes(cols) * rows;
        MemorySegment seg = Arena.ofAuto().allocate(bytes + 7);  // odd offset below: unaligned access
        seg = seg.asSlice(3, bytes);
        for (long i = 0; i < bytes; i++) seg.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt(256));
        long blocks = bytes / type.typeSize();
        for (long b = 0; b < blocks; b++) {
            long o = b * type.typeSize();
            switch (type) {
                case F32 -> seg.set(ValueLayout.JAVA_FLOAT_UNALIGNED, o, (float) rnd.nextGaussian());
                case F16 -> half(seg, o, (float) rnd.nextGaussian());
                case BF16 -> seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, o, (short) (Float.floatToIntBits((float) rnd.nextGaussian()) >>> 16));
                case Q8_0, Q4_0 -> half(seg, o, (float) rnd.nextGaussian() * 0.05f);
                case Q4_K, Q5_K -> { half(seg, o, (float) rnd.nextGaussian() * 0.01f); half(seg, o + 2, (float) rnd.nextDouble() * 0.01f); }
                case Q6_K -> half(seg, o + 208, (float) rnd.nextGaussian() * 0.01f);
                default -> throw new IllegalArgumentException(type.toString());
            }
        }
        return seg;
    }

    private static void half(MemorySegment s, long o, float v) {
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, o, Float.floatToFloat16(v));
    }

    static float[] randomVector(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void dequantAndDotMatchReference(GgmlType type) {
        WeightFormat f = WeightFormat.forGgmlId(type.id());
        assertNotNull(f, "kernel for " + type);
        assertEquals(type.blockSize(), f.blockSize());
        assertEquals(type.typeSize(), f.blockBytes());
        int rows = 5, cols = 1536;  // 6 K-quant super-blocks; > scratch buffer so the slicing path runs
        MemorySegment w = randomWeights(type, rows, cols, 42 + type.id());
        float[] x = randomVector(cols, 7);
        for (int r = 0; r < rows; r++) {
            long off = r * type.rowBytes(cols);
            float[] ref = new float[cols];
            Dequant.decode(type, w, off, ref, 0, cols);
            float[] got = new float[cols + 3];
            f.dequant(w, off, got, 3, cols);
            double refDot = 0, mag = 0;
            for (int i = 0; i < cols; i++) {
                assertEquals(ref[i], got[3 + i], Math.abs(ref[i]) * 1e-6 + 1e-9, type + " row " + r + " element " + i);
                refDot += (double) ref[i] * x[i];
                mag += Math.abs((double) ref[i] * x[i]);
            }
            float dot = f.dot(w, off, x, 0, cols);
            assertEquals(refDot, dot, mag * 1e-5 + 1e-6, type + " dot row " + r);
        }
    }

    /** The 4-token dot (server decode steps) must give exactly what four single dots give. */
    @ParameterizedTest
    @EnumSource(names = {"F32", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void fourTokenDotIsBitIdenticalToSingleDots(GgmlType type) {
        int cols = 512;
        MemorySegment w = randomWeights(type, 1, cols, 7);
        WeightFormat f = WeightFormat.forGgmlId(type.id());
        float[] x = randomVector(4 * cols, 11), xp = new float[4 * cols], out = new float[4];
        for (int t = 0; t < 4; t++) f.prepare(x, t * cols, xp, t * cols, cols);
        f.dot4Prepared(w, 0, xp, 0, cols, cols, out);
        for (int t = 0; t < 4; t++) assertEquals(f.dotPrepared(w, 0, xp, t * cols, cols), out[t], 0.0f, type + " token " + t);
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void matmulMatchesReferenceForEveryBatchPath(GgmlType type) {
        int rows = 37, cols = 512;
        MemorySegment w = randomWeights(type, rows, cols, 99);
        WeightMatrix m = new WeightMatrix("w", w, WeightFormat.forGgmlId(type.id()), rows, cols);
        float[][] ref = new float[rows][];
        for (int r = 0; r < rows; r++) ref[r] = Dequant.decode(type, w.asSlice(r * type.rowBytes(cols)), cols);
        try (Parallel par = new Parallel(2)) {
            for (int batch : new int[] {1, 3, 4, 6, 9, 17}) {
                float[] x = randomVector(batch * cols, batch);
                float[] y = new float[batch * rows];
                m.matmul(x, y, batch, par);
                for (int t = 0; t < batch; t++) {
                    for (int r = 0; r < rows; r++) {
                        double s = 0, mag = 0;
                        for (int c = 0; c < cols; c++) {
                            s += (double) ref[r][c] * x[t * cols + c];
                            mag += Math.abs((double) ref[r][c] * x[t * cols + c]);
                        }
                        assertEquals(s, y[t * rows + r], mag * 1e-5 + 1e-6, type + " batch " + batch + " t " + t + " r " + r);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q8_0", "Q4_K", "Q5_K", "Q6_K"})
    void parallelResultsDoNotDependOnThreadCount(GgmlType type) {
        int rows = 64, cols = 256;
        MemorySegment w = randomWeights(type, rows, cols, 5);
        WeightMatrix m = new WeightMatrix("w", w, WeightFormat.forGgmlId(type.id()), rows, cols);
        float[] x = randomVector(cols * 5, 3);
        float[] y1 = new float[rows * 5], y3 = new float[rows * 5];
        try (Parallel p1 = new Parallel(1); Parallel p3 = new Parallel(3)) {
            m.matmul(x, y1, 5, p1);
            m.matmul(x, y3, 5, p3);
        }
        assertTrue(java.util.Arrays.equals(y1, y3));
    }
}
