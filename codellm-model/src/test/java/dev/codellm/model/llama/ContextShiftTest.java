package dev.codellm.model.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Context shift (llama.cpp's: keep the first tokens, drop the oldest half of the rest, move the
 * cache down with RoPE re-applied to the moved keys) against recomputing from scratch over the
 * shifted token sequence. With one layer every cached key and value depends only on its token and
 * position, so a right shift gives the fresh run's logits within rounding; a wrong rotation (or
 * none) is off by whole logits. (With more layers the kept tokens' later-layer entries were
 * computed while the dropped tokens were there: an approximation in llama.cpp too.)
 */
class ContextShiftTest {
    /** One layer, 4 query heads over 2 kv heads (grouped), head 16. */
    static final TinyModels.Shape ONE_LAYER = new TinyModels.Shape(64, 1, 4, 2, 128, 320);
    /** The same with heads of 32, one q8_0 block each (quantized caches need whole blocks per head). */
    static final TinyModels.Shape ONE_LAYER_HEAD32 = new TinyModels.Shape(64, 1, 2, 1, 128, 320);

    @TempDir Path dir;

    @ParameterizedTest
    @CsvSource({"none, 1, 0, F32, 1e-4", "linear, 4, 0, F32, 1e-4", "yarn, 4, 256, F32, 1e-4", "none, 1, 0, F16, 5e-3",
            "yarn, 4, 256, F16, 5e-3", "none, 1, 0, Q8_0, 3e-2", "yarn, 4, 256, Q8_0, 3e-2"})
    void shiftedCacheGivesTheLogitsOfAFreshRunOnTheShiftedTokens(String scaling, float factor, int origCtx, KvType kv, double tol)
            throws Exception {
        TinyModels.Shape shape = kv.quantized() ? ONE_LAYER_HEAD32 : ONE_LAYER;
        Path gguf = TinyModels.write(dir.resolve("one.gguf"), GgmlType.F32, false, 1e6f, 7, shape, w -> {
            if (!scaling.equals("none")) {
                w.putString("llama.rope.scaling.type", scaling);
                w.putFloat32("llama.rope.scaling.factor", factor);
                if (origCtx > 0) w.putUInt32("llama.rope.scaling.original_context_length", origCtx);
            }
        });
        int ctx = 320, keep = 5;
        int[] tokens = new SplittableRandom(3).ints(ctx, 0, shape.vocab()).toArray();
        int[] next = new SplittableRandom(4).ints(12, 0, shape.vocab()).toArray();
        int discard = (ctx - keep) / 2;  // llama-server's n_discard default: half of what follows n_keep
        try (GgufFile f = GgufFile.open(gguf); LlamaModel m = LlamaModel.load(f, 2)) {
            Session shifted = m.newSession(ctx, kv);
            m.forwardAll(shifted, tokens);
            assertEquals(ctx, shifted.position());
            m.shift(shifted, keep, discard);
            assertEquals(ctx - discard, shifted.position());
            float[][] a = m.forwardAll(shifted, next);

            int[] kept = concat(Arrays.copyOfRange(tokens, 0, keep), Arrays.copyOfRange(tokens, keep + discard, ctx));
            Session fresh = m.newSession(ctx, kv);
            float[][] b = m.forwardAll(fresh, concat(kept, next));
            double worst = 0;
            for (int i = 0; i < next.length; i++) {
                worst = Math.max(worst, LlamaReferenceTest.maxAbsDiff(a[i], toDoubles(b[kept.length + i])));
            }
            System.out.printf("context shift %s x%s %s: worst |logit(shifted) - logit(fresh)| %.2e%n", scaling, factor, kv, worst);
            assertTrue(worst <= tol, "max abs diff " + worst);

            // The control: the same cache moved down without turning its keys back is far off.
            Session unrotated = m.newSession(ctx, kv);
            m.forwardAll(unrotated, tokens);
            unrotated.shift(keep, discard, new Rope(m.config()), identity(m.config().ropeDim()), m.config().headDim());
            float[][] c = m.forwardAll(unrotated, next);
            double off = 0;
            for (int i = 0; i < next.length; i++) off = Math.max(off, LlamaReferenceTest.maxAbsDiff(c[i], toDoubles(b[kept.length + i])));
            assertTrue(off > 20 * Math.max(worst, 1e-6), "without re-applying RoPE the logits differ by " + off);
        }
    }

    @org.junit.jupiter.api.Test
    void aShiftThatDropsNothingOrTooMuchIsRefused() throws Exception {
        Path gguf = TinyModels.write(dir.resolve("one.gguf"), GgmlType.F32, false, 1e4f, 7, ONE_LAYER, w -> { });
        try (GgufFile f = GgufFile.open(gguf); LlamaModel m = LlamaModel.load(f, 1)) {
            Session s = m.newSession(64, KvType.F32);
            m.forward(s, new int[] {1, 2, 3, 4});
            assertThrows(IllegalArgumentException.class, () -> m.shift(s, 2, 0));
            assertThrows(IllegalArgumentException.class, () -> m.shift(s, 2, 3));
            m.shift(s, 2, 2);
            assertEquals(2, s.position());
        }
    }

    private static float[] identity(int ropeDim) {
        float[] t = new float[ropeDim];
        for (int i = 0; i < ropeDim; i += 2) t[i] = 1;
        return t;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }
}
