package dev.codellm.model.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.kernels.UseKernels;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A prompt's forward pass gives the same logits, bit for bit, on 1, 2 and 3 threads: every
 * per-row step of a batch (embedding rows, RoPE tables, norms, RoPE + KV-cache store, residual
 * adds, the matmul inputs' conversion to 8-bit blocks / bf16 / reordered floats) runs as a
 * parallel loop over the rows, and each row must come out as it does on one thread. The prompt
 * has more than 2 × {@link LlamaModel#ROW_GRAIN} rows, so those loops really are split (checked
 * through the dispatch count); the quantized KV cache exercises the store's encoder on the workers.
 */
class ForwardThreadsTest {
    @TempDir Path dir;

    private static final GgmlType[] TYPES = {GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.F16, GgmlType.BF16};

    @Test
    void promptLogitsDoNotDependOnTheThreadCount() throws Exception {
        check();
    }

    @Test
    @UseKernels(UseKernels.Path.JAVA)
    void promptLogitsDoNotDependOnTheThreadCountOnTheJavaKernels() throws Exception {
        check();
    }

    /**
     * The step's activation arrays are kept for the next step of as many rows or fewer: a shorter
     * prompt, then one generated token, after a longer prompt give what a fresh model gives
     * (a row read before it is written would carry the earlier prompt's values).
     */
    @Test
    void aStepReusingAnEarlierStepsBuffersMatchesAFreshModel() throws Exception {
        int[] first = new SplittableRandom(5).ints(4 * LlamaModel.ROW_GRAIN, 0, TinyModels.VOCAB).toArray();
        int[] second = new SplittableRandom(6).ints(2 * LlamaModel.ROW_GRAIN + 3, 0, TinyModels.VOCAB).toArray();
        for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.F16}) {
            Path gguf = TinyModels.write(dir.resolve("reuse-" + type + ".gguf"), type, false, 1e4f, 13);
            float[][] fresh, reused;
            float[] freshNext, reusedNext;
            try (GgufFile f = GgufFile.open(gguf); LlamaModel m = LlamaModel.load(f, 2)) {
                Session s = m.newSession(64, KvType.F16);
                fresh = m.forwardAll(s, second);
                freshNext = m.forward(s, new int[] {7});
            }
            try (GgufFile f = GgufFile.open(gguf); LlamaModel m = LlamaModel.load(f, 2)) {
                m.forwardAll(m.newSession(64, KvType.F16), first);
                Session s = m.newSession(64, KvType.F16);
                reused = m.forwardAll(s, second);
                reusedNext = m.forward(s, new int[] {7});
            }
            for (int p = 0; p < second.length; p++) assertArrayEquals(fresh[p], reused[p], type + ", position " + p);
            assertArrayEquals(freshNext, reusedNext, type + ", the generated token");
        }
    }

    private void check() throws Exception {
        int[] prompt = new SplittableRandom(3).ints(3 * LlamaModel.ROW_GRAIN + 5, 0, TinyModels.VOCAB).toArray();
        for (GgmlType type : TYPES) {
            Path gguf = TinyModels.write(dir.resolve("tiny-" + type + ".gguf"), type, false, 1e4f, 11);
            for (KvType kv : new KvType[] {KvType.F16, KvType.Q8_0}) {
                float[][] one = null;
                for (int threads = 1; threads <= 3; threads++) {
                    try (GgufFile f = GgufFile.open(gguf); LlamaModel m = LlamaModel.load(f, threads)) {
                        long d0 = m.dispatches();
                        float[][] got = m.forwardAll(m.newSession(prompt.length, kv), prompt);
                        if (threads > 1) {
                            // 5 loops per layer + the classifier are the matmuls and attention; the row loops come on top
                            long loops = m.dispatches() - d0, matmuls = 5L * TinyModels.LAYERS + 1;
                            assertTrue(loops >= matmuls + 5L * TinyModels.LAYERS + 2, type + " " + kv + ": only " + loops + " parallel loops");
                        }
                        if (one == null) one = got;
                        else {
                            for (int p = 0; p < prompt.length; p++) {
                                assertArrayEquals(one[p], got[p], type + " " + kv + ", " + threads + " threads, position " + p);
                            }
                        }
                    }
                }
            }
        }
    }
}
