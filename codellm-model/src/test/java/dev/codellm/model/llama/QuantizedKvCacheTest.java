package dev.codellm.model.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.CodellmException;
import dev.codellm.core.SharedData;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.kernels.VecMath;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --kv-type q8_0} / {@code q4_0} through the whole forward pass, against the exact F32
 * cache on the same model and prompt: logits within a stated bound (q8_0 keeps 7 bits per element
 * and one f16 scale per 32, so its logits move about as much as F16's times ~10; q4_0 much more),
 * the same greedy ids wherever F32's top two logits are further apart than that bound, and the
 * memory as llama.cpp counts it (34 and 18 bytes per 32 elements).
 */
class QuantizedKvCacheTest {
    @TempDir Path dir;

    @Test
    void quantizedCachesStayCloseToTheExactOne() throws Exception {
        Path gguf = TinyModels.write(dir.resolve("tiny.gguf"), GgmlType.F32, false, 1e4f, 5);
        int[] prompt = new SplittableRandom(9).ints(300, 0, TinyModels.VOCAB).toArray();
        try (GgufFile f = GgufFile.open(gguf); LlamaModel m = LlamaModel.load(f, 2)) {
            float[][] exact = m.forwardAll(m.newSession(prompt.length, KvType.F32), prompt);
            double[] bound = {0, 0, 0};
            KvType[] types = {KvType.F16, KvType.Q8_0, KvType.Q4_0};
            double[] tol = {5e-3, 8e-2, 1.0};  // measured: 1.5e-3, 4.5e-2, 6.6e-1
            for (int t = 0; t < types.length; t++) {
                float[][] got = m.forwardAll(m.newSession(prompt.length, types[t]), prompt);
                double worst = 0, mean = 0;
                int agree = 0, decided = 0;
                for (int p = 0; p < prompt.length; p++) {
                    for (int i = 0; i < exact[p].length; i++) {
                        double e = Math.abs(exact[p][i] - got[p][i]);
                        worst = Math.max(worst, e);
                        mean += e;
                    }
                }
                mean /= (double) prompt.length * exact[0].length;
                for (int p = 0; p < prompt.length; p++) {
                    if (margin(exact[p]) > 2 * worst) {
                        decided++;
                        if (VecMath.argmax(exact[p]) == VecMath.argmax(got[p])) agree++;
                    }
                }
                bound[t] = worst;
                System.out.printf("kv %s vs f32 over %d positions: max |dlogit| %.2e, mean %.2e; argmax equal at %d of %d clear positions%n",
                        types[t], prompt.length, worst, mean, agree, decided);
                assertTrue(worst < tol[t], types[t] + ": max abs logit difference " + worst);
                assertEquals(decided, agree, types[t] + ": argmax differs where f32's top two logits are clearly apart");
            }
            assertTrue(bound[0] < bound[1] && bound[1] < bound[2], "f16 < q8_0 < q4_0 in error");
        }
    }

    @Test
    void memoryIsLlamaCppsBlockSize() {
        LlamaConfig c = new LlamaConfig(4096, 32, 32, 32, 11008, 32016, 16384, 1e-5f, 1e6f, false);
        assertEquals(8L << 30, Session.bytes(c, 16384, KvType.F16));
        assertEquals((8L << 30) / 32 * 17, Session.bytes(c, 16384, KvType.Q8_0));   // 34 bytes per 32 halves' 64
        assertEquals((8L << 30) / 32 * 9, Session.bytes(c, 16384, KvType.Q4_0));
        assertEquals("--ctx, --kv-type q8_0", KvType.F16.memoryFlags(1, 128));
        assertEquals("--ctx", KvType.Q8_0.memoryFlags(1, 128));
    }

    @Test
    void headsThatDoNotSplitIntoBlocksAreRefused() throws Exception {
        try (GgufFile f = GgufFile.open(SharedData.require("models/stories260K/stories260K.gguf")); LlamaModel m = LlamaModel.load(f, 1)) {
            CodellmException e = assertThrows(CodellmException.class, () -> m.newSession(16, KvType.Q8_0));
            assertEquals("--kv-type q8_0 stores blocks of 32 along a kv head, but this model's heads have 8 dimensions: use --kv-type f16",
                    e.getMessage());
        }
        assertEquals("unknown KV cache type 'q5' (use f32, f16, q8_0 or q4_0)",
                assertThrows(CodellmException.class, () -> KvType.parse("q5")).getMessage());
    }

    private static double margin(float[] logits) {
        float a = Float.NEGATIVE_INFINITY, b = Float.NEGATIVE_INFINITY;
        for (float x : logits) {
            if (x > a) { b = a; a = x; } else if (x > b) b = x;
        }
        return a - b;
    }
}
