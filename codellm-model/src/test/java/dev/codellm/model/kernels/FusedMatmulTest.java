package dev.codellm.model.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.codellm.model.gguf.GgmlType;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * Matmuls that share one input in one parallel loop ({@link WeightMatrix#matmulAll}, Q/K/V) give
 * exactly what separate matmuls give, on both kernel paths, for matrices of mixed types and row
 * counts that are not multiples of the 16-row unit.
 */
class FusedMatmulTest {
    private static final int COLS = 512;
    private static final GgmlType[] TYPES = {GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.F16, GgmlType.Q6_K, GgmlType.Q8_0, GgmlType.BF16};
    private static final int[] ROWS = {37, 16, 5, 64, 1, 33};

    @Test
    @UseKernels(UseKernels.Path.JAVA)
    void javaKernels() { fusedEqualsSeparate(); }

    @Test
    @UseKernels(UseKernels.Path.NATIVE)
    void nativeKernels() { fusedEqualsSeparate(); }

    private static void fusedEqualsSeparate() {
        WeightMatrix[] ms = new WeightMatrix[TYPES.length];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = new WeightMatrix("w" + i, KernelsTest.randomWeights(TYPES[i], ROWS[i], COLS, 10 + i),
                    WeightFormat.forGgmlId(TYPES[i].id()), ROWS[i], COLS);
        }
        try (Parallel par = new Parallel(3)) {
            for (int batch : new int[] {1, 5, 17}) {
                float[] x = KernelsTest.randomVector(batch * COLS, batch);
                float[][] fused = new float[ms.length][];
                for (int i = 0; i < ms.length; i++) fused[i] = new float[batch * ROWS[i]];
                WeightMatrix.matmulAll(x, batch, par, ms, fused);
                for (int i = 0; i < ms.length; i++) {
                    float[] alone = new float[batch * ROWS[i]];
                    ms[i].matmul(x, alone, batch, par);
                    assertArrayEquals(alone, fused[i], TYPES[i] + " batch " + batch);
                }
            }
        }
    }

    @Test
    void concatenatedTasksRunEveryUnitOnce() {
        int[] sizes = {3, 0, 17, 1, 8};
        AtomicIntegerArray[] hits = new AtomicIntegerArray[sizes.length];
        WeightMatrix.Task[] ts = new WeightMatrix.Task[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            AtomicIntegerArray h = hits[i] = new AtomicIntegerArray(sizes[i]);
            int n = sizes[i];
            ts[i] = new WeightMatrix.Task() {
                @Override
                public int units() { return n; }

                @Override
                public void run(int u0, int u1) { for (int u = u0; u < u1; u++) h.incrementAndGet(u); }
            };
        }
        WeightMatrix.Task all = WeightMatrix.concat(ts);
        assertEquals(29, all.units());
        try (Parallel par = new Parallel(2)) {
            par.forRange(all.units(), 1, all::run);
        }
        for (int i = 0; i < sizes.length; i++) for (int u = 0; u < sizes[i]; u++) assertEquals(1, hits[i].get(u), "task " + i + " unit " + u);
    }
}
