package dev.codellm.model.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.model.gguf.Dequant;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufTensor;
import dev.codellm.model.kernels.NativeKernels;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine against an independent numpy forward pass (reference_forward.py, float64) on tiny
 * random-weight GGUFs, one per weight type: the numpy side gets the same dequantized weights (via
 * the gguf module's reference Dequant). Teacher-forced logits and a 64-token greedy continuation.
 */
@org.junit.jupiter.api.extension.ExtendWith(dev.codellm.model.kernels.EnableNativeKernels.class)
class LlamaReferenceTest {
    static final int GREEDY = 64;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void logitsAndGreedyMatchNumpy(GgmlType type) throws Exception {
        boolean tied = type == GgmlType.F32 || type == GgmlType.Q4_K;
        float theta = type == GgmlType.F32 ? 10000f : 1e6f;
        Path gguf = TinyModels.write(dir.resolve("tiny.gguf"), type, tied, theta, 1000 + type.id());
        int[] prompt = new SplittableRandom(type.id()).ints(9, 0, TinyModels.VOCAB).toArray();
        Reference ref = runNumpy(gguf, prompt, tied, theta);

        double tol = type == GgmlType.F32 ? 1e-4 : 1e-3;
        NativeKernels.setEnabled(false);  // float activations: same math as numpy up to rounding
        try (GgufFile f = GgufFile.open(gguf); LlamaModel model = LlamaModel.load(f, 1)) {
            Session s = model.newSession(128, KvType.F32);
            float[][] logits = model.forwardAll(s, prompt);
            for (int p = 0; p < prompt.length; p++) {
                double err = maxAbsDiff(logits[p], ref.logits[p]);
                assertTrue(err <= tol, type + " position " + p + ": max abs diff " + err + " > " + tol);
            }
            assertArrayEquals(ref.greedy, greedy(model, s, logits[prompt.length - 1]), type + " greedy continuation");
        } finally {
            NativeKernels.setEnabled(true);
        }
        if (NativeKernels.supports(dev.codellm.model.kernels.WeightFormat.forGgmlId(type.id()))) {
            // Native path quantizes activations to 8 bits (as llama.cpp does): close, not identical.
            try (GgufFile f = GgufFile.open(gguf); LlamaModel model = LlamaModel.load(f, 1)) {
                Session s = model.newSession(128, KvType.F32);
                float[][] logits = model.forwardAll(s, prompt);
                for (int p = 0; p < prompt.length; p++) {
                    // 8-bit activations carry ~0.5% relative error per dot product, compounding over layers.
                    double scale = Arrays.stream(ref.logits[p]).map(Math::abs).max().orElse(1);
                    double err = maxAbsDiff(logits[p], ref.logits[p]);
                    assertTrue(err <= 0.02 * scale, type + " native position " + p + ": max abs diff " + err + ", logit scale " + scale);
                    assertEquals(argmax(ref.logits[p]), argmax(logits[p]), type + " native argmax at " + p);
                }
            }
        }
    }

    static int[] greedy(LlamaModel model, Session s, float[] last) {
        int[] out = new int[GREEDY];
        float[] logits = last;
        for (int i = 0; i < GREEDY; i++) {
            out[i] = argmax(logits);
            logits = model.forward(s, new int[] {out[i]});
        }
        return out;
    }

    record Reference(double[][] logits, int[] greedy) {}

    private Reference runNumpy(Path gguf, int[] prompt, boolean tied, float theta) throws Exception {
        Path work = Files.createDirectories(dir.resolve("ref"));
        try (GgufFile f = GgufFile.open(gguf)) {
            for (GgufTensor t : f.tensors()) {
                float[] v = Dequant.toFloat(t);
                ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                bb.asFloatBuffer().put(v);
                Files.write(work.resolve(t.name() + ".f32"), bb.array());
            }
        }
        String cfg = String.format(java.util.Locale.ROOT,
                "{\"dim\": %d, \"layers\": %d, \"heads\": %d, \"kv_heads\": %d, \"ffn\": %d, \"vocab\": %d, \"eps\": 1e-5,"
                        + " \"theta\": %s, \"tied\": %s, \"greedy\": %d, \"prompt\": %s}",
                TinyModels.DIM, TinyModels.LAYERS, TinyModels.HEADS, TinyModels.KV_HEADS, TinyModels.FFN, TinyModels.VOCAB,
                Float.toString(theta), tied, GREEDY, Arrays.toString(prompt));
        Files.writeString(work.resolve("config.json"), cfg);
        Path script = work.resolve("reference_forward.py");
        try (InputStream in = getClass().getResourceAsStream("reference_forward.py")) {
            Files.copy(in, script);
        }
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", script.toString(), work.toString()).redirectErrorStream(true);
        // Tiny matrices: BLAS threads only fight the JVM for the two cores.
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        pb.environment().put("OMP_NUM_THREADS", "1");
        long t0 = System.nanoTime();
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "numpy reference timed out");
        assertEquals(0, p.exitValue(), "numpy reference failed: " + output);
        System.out.printf("numpy reference: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        List<String> lines = Files.readAllLines(work.resolve("reference.txt"));
        assertEquals(prompt.length + 1, lines.size());
        double[][] logits = new double[prompt.length][];
        for (int i = 0; i < prompt.length; i++) logits[i] = Arrays.stream(lines.get(i).trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
        int[] greedy = Arrays.stream(lines.get(prompt.length).trim().split(" ")).mapToInt(Integer::parseInt).toArray();
        return new Reference(logits, greedy);
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    static double maxAbsDiff(float[] a, double[] b) {
        assertEquals(b.length, a.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }
}
