package dev.codellm.model.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.kernels.NativeKernels;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forward pass computes the last layer's attention output, wo and FFN only for the rows whose
 * logits are wanted (llama.cpp's inp_out_ids). A prompt's last logits must be those of the full
 * pass ({@link LlamaModel#forwardAll}), and the rows it skipped must still have stored their keys
 * and values: the next token's logits agree too. Prompts of 300 tokens: a first chunk of 256
 * that wants no logits (its last layer stops after the cache store) and one of 44.
 * Bit for bit on the avx2/avx512 kernels (a row gets the same bits in any batch); the amx
 * variant's prompt tiles and the Java kernels sum in another order by batch size, so there to 1e-3.
 */
class LastLayerRowsTest {

    @Test
    void aPromptsLastLogitsAndTheNextTokensAreThoseOfTheFullPass(@TempDir Path tmp) throws Exception {
        boolean exact = NativeKernels.enabled() && !NativeKernels.isa().equals("amx");
        float tol = exact ? 0f : 1e-3f;
        for (GgmlType type : new GgmlType[] {GgmlType.Q4_0, GgmlType.F16}) {
            Path gguf = tmp.resolve(type + ".gguf");
            SyntheticGguf.write(gguf, ModelShape.TINY, type, 2, 7);
            for (KvType kv : new KvType[] {KvType.F16, KvType.Q8_0}) {
                try (GgufFile f = GgufFile.open(gguf); LlamaModel m = LlamaModel.load(f, 2)) {
                    int vocab = m.config().vocabSize();
                    int[] prompt = new SplittableRandom(3).ints(300, 0, vocab).toArray();
                    Session cut = m.newSession(320, kv), full = m.newSession(320, kv);
                    float[] last = m.forward(cut, prompt);
                    float[][] all = m.forwardAll(full, prompt);
                    assertEquals(300, all.length);
                    assertClose(all[299], last, tol, type + " " + kv + ": the prompt's last logits");
                    for (int next : new int[] {17, 5}) {
                        assertClose(m.forward(full, new int[] {next}), m.forward(cut, new int[] {next}), tol,
                                type + " " + kv + ": the next token's logits (keys and values of the skipped rows)");
                    }
                }
            }
        }
    }

    private static void assertClose(float[] expect, float[] got, float tol, String what) {
        assertEquals(expect.length, got.length, what);
        for (int i = 0; i < expect.length; i++) {
            if (tol == 0f) {
                assertEquals(Float.floatToRawIntBits(expect[i]), Float.floatToRawIntBits(got[i]), what + " [" + i + "]: " + expect[i] + " vs " + got[i]);
            } else {
                assertTrue(Math.abs(expect[i] - got[i]) <= tol * (1 + Math.abs(expect[i])), what + " [" + i + "]: " + expect[i] + " vs " + got[i]);
            }
        }
    }
}
