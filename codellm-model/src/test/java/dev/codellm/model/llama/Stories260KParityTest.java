package dev.codellm.model.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.SharedData;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.kernels.NativeKernels;
import dev.codellm.model.kernels.UseKernels;
import dev.codellm.model.kernels.VecMath;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Parity with llama2.c's run.c on Karpathy's trained stories260K model: logits for 24 teacher-forced
 * positions (golden file produced by run.c on this machine, see the model's SOURCE.md).
 */
class Stories260KParityTest {

    record Golden(int[] inputs, int[] argmax, List<float[]> logits) {}

    static Golden golden() throws Exception {
        String json = Files.readString(SharedData.require("models/stories260K/golden/logits_once_upon_a_time_24pos.json"));
        Matcher m = Pattern.compile("\"input_token\":\\s*(\\d+),\\s*\"argmax\":\\s*(\\d+),\\s*\"logits\":\\s*\\[([^\\]]*)\\]").matcher(json);
        List<Integer> in = new ArrayList<>(), am = new ArrayList<>();
        List<float[]> logits = new ArrayList<>();
        while (m.find()) {
            in.add(Integer.parseInt(m.group(1)));
            am.add(Integer.parseInt(m.group(2)));
            String[] parts = m.group(3).split(",");
            float[] l = new float[parts.length];
            for (int i = 0; i < parts.length; i++) l[i] = Float.parseFloat(parts[i].trim());
            logits.add(l);
        }
        assertEquals(24, in.size(), "golden positions parsed");
        return new Golden(in.stream().mapToInt(Integer::intValue).toArray(), am.stream().mapToInt(Integer::intValue).toArray(), logits);
    }

    @Test
    void teacherForcedLogitsMatchLlama2c() throws Exception {
        Golden g = golden();
        for (KvType kv : new KvType[] {KvType.F32, KvType.F16}) {  // heads of 8: no room for q8_0's blocks of 32
            try (GgufFile f = GgufFile.open(SharedData.require("models/stories260K/stories260K.gguf"));
                 LlamaModel model = LlamaModel.load(f, 2)) {
                Session s = model.newSession(64, kv);
                float[][] all = model.forwardAll(s, g.inputs());
                // F16 rounds every cached key/value (rel. 5e-4), which moves logits of magnitude ~10 by ~1e-2.
                double tol = kv == KvType.F32 ? 1e-4 : 3e-2;
                for (int p = 0; p < all.length; p++) {
                    assertEquals(g.argmax()[p], VecMath.argmax(all[p]), "argmax at position " + p + " kv " + kv);
                    double err = maxAbsDiff(all[p], g.logits().get(p));
                    assertTrue(err <= tol, "position " + p + " kv " + kv + ": max abs diff " + err);
                }
            }
        }
    }

    @Test
    void promptBatchTokenByTokenAndDecodeBatchAgree() throws Exception {
        Golden g = golden();
        try (GgufFile f = GgufFile.open(SharedData.require("models/stories260K/stories260K.gguf"));
             LlamaModel model = LlamaModel.load(f, 2)) {
            // Whole prompt at once vs one token at a time must give the same last logits.
            Session a = model.newSession(64, KvType.F32), b = model.newSession(64, KvType.F32);
            float[] batched = model.forward(a, g.inputs());
            float[] single = null;
            for (int t : g.inputs()) single = model.forward(b, new int[] {t});
            assertTrue(maxAbsDiff(batched, single) < 1e-4, "batched vs single " + maxAbsDiff(batched, single));
            // Rewinding and replaying reproduces the logits.
            a.truncate(10);
            float[] replay = model.forward(a, java.util.Arrays.copyOfRange(g.inputs(), 10, g.inputs().length));
            assertTrue(maxAbsDiff(batched, replay) < 1e-5);
            // decodeBatch over two sessions at different positions equals separate forwards.
            Session c = model.newSession(64, KvType.F32), d = model.newSession(64, KvType.F32);
            model.forward(c, java.util.Arrays.copyOfRange(g.inputs(), 0, 5));
            model.forward(d, java.util.Arrays.copyOfRange(g.inputs(), 0, 12));
            float[][] both = model.decodeBatch(new Session[] {c, d}, new int[] {g.inputs()[5], g.inputs()[12]});
            assertTrue(maxAbsDiff(both[0], g.logits().get(5)) < 1e-4);
            assertTrue(maxAbsDiff(both[1], g.logits().get(12)) < 1e-4);
            assertEquals(6, c.position());
            assertEquals(13, d.position());
        }
    }

    /**
     * The server's mixed step: one session decoding a token, another reading a prompt chunk that
     * is not its last (no logits), a third reading its last chunk, all in one pass, give the
     * golden logits each would get alone, and leave each session where separate forwards would.
     */
    @Test
    void forwardMixedMatchesSeparateForwards() throws Exception {
        Golden g = golden();
        int[] in = g.inputs();
        try (GgufFile f = GgufFile.open(SharedData.require("models/stories260K/stories260K.gguf"));
             LlamaModel model = LlamaModel.load(f, 2)) {
            Session dec = model.newSession(64, KvType.F32), mid = model.newSession(64, KvType.F32), last = model.newSession(64, KvType.F32);
            model.forward(dec, java.util.Arrays.copyOfRange(in, 0, 7));
            model.forward(last, java.util.Arrays.copyOfRange(in, 0, 4));
            float[][] out = model.forwardMixed(new Session[] {dec, mid, last},
                    new int[][] {{in[7]}, java.util.Arrays.copyOfRange(in, 0, 9), java.util.Arrays.copyOfRange(in, 4, 16)},
                    new boolean[] {true, false, true});
            assertTrue(maxAbsDiff(out[0], g.logits().get(7)) < 1e-4, "decoded row " + maxAbsDiff(out[0], g.logits().get(7)));
            assertEquals(null, out[1], "no logits for a chunk that is not the prompt's last");
            assertTrue(maxAbsDiff(out[2], g.logits().get(15)) < 1e-4, "last chunk " + maxAbsDiff(out[2], g.logits().get(15)));
            assertEquals(8, dec.position());
            assertEquals(9, mid.position());
            assertEquals(16, last.position());
            // the chunk read without logits left the right cache: its continuation matches the golden logits
            float[] next = model.forward(mid, java.util.Arrays.copyOfRange(in, 9, 20));
            assertTrue(maxAbsDiff(next, g.logits().get(19)) < 1e-4, "after the mixed chunk " + maxAbsDiff(next, g.logits().get(19)));
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }
}
