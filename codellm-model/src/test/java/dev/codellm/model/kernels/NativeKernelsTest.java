package dev.codellm.model.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.codellm.model.gguf.Dequant;
import dev.codellm.model.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The native int8 kernels against a scalar re-statement of their contract (weights decoded by the
 * reference Dequant, activations quantized to Q8_0 per ggml's spec), and against the Java path.
 */
class NativeKernelsTest {

    @Test
    void nativeLibraryLoadsWhenBuiltAndIsTheDefault() {
        assumeFalse(NativeKernels.status().startsWith("disabled"), "native switched off for this run");
        boolean built = NativeKernels.class.getResource("native/libcodellm_kernels.so") != null;
        if (gccOnPath()) assertTrue(built, "gcc is on PATH but the build did not compile the native library");
        assumeTrue(built, "no native library in this build (no gcc): the Java kernels run");
        assumeTrue(!NativeKernels.status().startsWith("CPU lacks"), NativeKernels.status());
        assertTrue(NativeKernels.available(), NativeKernels.status());
        assertTrue(NativeKernels.DEFAULT_ENABLED, "native is the default when it loads");
        assertTrue(NativeKernels.describe().startsWith("native"), NativeKernels.describe());
    }

    private static boolean gccOnPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, "gcc"))) return true;
        }
        return false;
    }

    /** 8-bit activation quantization as ggml's Q8_0 (d = max|x|/127, q = round(x/d)), d kept as float. */
    static float[] q8RoundTrip(float[] x, int off, int n, float[] scales) {
        float[] q = new float[n];
        for (int b = 0; b < n / 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[off + b * 32 + j]));
            float d = amax / 127f, id = d != 0 ? 1f / d : 0f;
            scales[b] = d;
            for (int j = 0; j < 32; j++) q[b * 32 + j] = Math.round(x[off + b * 32 + j] * id);
        }
        return q;
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q8_0", "Q4_K", "Q5_K", "Q6_K"})
    @UseKernels(UseKernels.Path.NATIVE)
    void matmulMatchesInt8Contract(GgmlType type) {
        int rows = 45, cols = 768, batch = 6;  // one 4-token group + 2 single tokens
        MemorySegment w = KernelsTest.randomWeights(type, rows, cols, 11);
        WeightFormat f = WeightFormat.forGgmlId(type.id());
        WeightMatrix m = new WeightMatrix("w", w, f, rows, cols);
        float[] x = KernelsTest.randomVector(batch * cols, 12);
        float[] yNative = new float[batch * rows], yJava = new float[batch * rows];
        try (Parallel par = new Parallel(2)) {
            m.matmul(x, yNative, batch, par);
            NativeKernels.setEnabled(false);
            m.matmul(x, yJava, batch, par);
        }
        for (int t = 0; t < batch; t++) {
            float[] scales = new float[cols / 32];
            float[] xq = q8RoundTrip(x, t * cols, cols, scales);
            for (int r = 0; r < rows; r++) {
                float[] wr = Dequant.decode(type, w.asSlice(r * type.rowBytes(cols)), cols);
                double expect = 0, mag = 0;
                for (int c = 0; c < cols; c++) {
                    double p = (double) wr[c] * xq[c] * scales[c / 32];
                    expect += p;
                    mag += Math.abs(p);
                }
                assertEquals(expect, yNative[t * rows + r], mag * 1e-5 + 1e-6, type + " t " + t + " r " + r);
                // The Java path keeps float activations: agreement within Q8 activation rounding.
                assertEquals(yJava[t * rows + r], yNative[t * rows + r], mag * 0.02 + 1e-4, type + " java vs native");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q8_0", "Q4_K", "Q5_K", "Q6_K"})
    @UseKernels(UseKernels.Path.NATIVE)
    void resultsDoNotDependOnThreadCount(GgmlType type) {
        int rows = 64, cols = 512;
        MemorySegment w = KernelsTest.randomWeights(type, rows, cols, 5);
        WeightMatrix m = new WeightMatrix("w", w, WeightFormat.forGgmlId(type.id()), rows, cols);
        float[] x = KernelsTest.randomVector(cols * 5, 3);
        float[] y1 = new float[rows * 5], y3 = new float[rows * 5];
        try (Parallel p1 = new Parallel(1); Parallel p3 = new Parallel(3)) {
            m.matmul(x, y1, 5, p1);
            m.matmul(x, y3, 5, p3);
        }
        assertTrue(java.util.Arrays.equals(y1, y3));
    }
}
