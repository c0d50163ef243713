package dev.codellm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.train.model.Activations;
import dev.codellm.train.model.Linear;
import dev.codellm.train.model.TrainableLlama;
import dev.codellm.model.llama.LlamaConfig;
import dev.codellm.train.model.Param;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analytic gradients of the Java forward/backward against central finite differences of an
 * independent float64 numpy implementation of the same loss, on tiny shapes (GQA, tied and
 * untied output, masked positions, LoRA adapters).
 */
class GradientReferenceTest {
    @TempDir Path dir;

    @Test
    void untiedGqaMatchesNumpy() throws Exception {
        check(new LlamaConfig(16, 2, 4, 2, 24, 13, 16, 1e-5f, 10000f, false), 0, 7);
    }

    @Test
    void tiedOutputMatchesNumpy() throws Exception {
        check(new LlamaConfig(8, 1, 2, 1, 12, 11, 16, 1e-5f, 500f, true), 0, 9);
    }

    @Test
    void loraAdaptersMatchNumpy() throws Exception {
        check(new LlamaConfig(16, 2, 4, 4, 20, 11, 16, 1e-5f, 10000f, false), 3, 11);
    }

    /** A base's rope settings the trainer keeps: half of each head rotated, YaRN past a 4-token original context. */
    @Test
    void partialRopeWithYarnMatchesNumpy() throws Exception {
        check(new LlamaConfig(32, 1, 4, 2, 24, 13, 16, 1e-5f, 10000f, 4,
                new dev.codellm.model.llama.RopeScaling(dev.codellm.model.llama.RopeScaling.Type.YARN, 4f, 4), false), 0, 13);
    }

    @Test
    void linearRopeScalingMatchesNumpy() throws Exception {
        check(new LlamaConfig(16, 1, 2, 2, 24, 13, 16, 1e-5f, 10000f, 8,
                new dev.codellm.model.llama.RopeScaling(dev.codellm.model.llama.RopeScaling.Type.LINEAR, 4f, 0), true), 0, 15);
    }

    private void check(LlamaConfig cfg, int loraRank, long seed) throws Exception {
        TrainableLlama m = new TrainableLlama(cfg);
        m.initRandom(seed);
        Random rnd = new Random(seed);
        // larger weights than the training init so every path carries signal
        for (Param p : m.params.all()) for (int i = 0; i < p.data.length; i++) {
            p.data[i] = p.isVector() ? 1f + (float) rnd.nextGaussian() * 0.2f : (float) rnd.nextGaussian() * 0.3f;
        }
        ObjectNode loraScale = new ObjectMapper().createObjectNode();
        if (loraRank > 0) {
            for (Linear lin : m.linears()) {
                if (!lin.weight.name.contains("attn_q") && !lin.weight.name.contains("ffn_up")) continue;
                lin.attachLora(m.params, loraRank, 6f, rnd);
                for (int i = 0; i < lin.loraB.data.length; i++) lin.loraB.data[i] = (float) rnd.nextGaussian() * 0.3f;
                lin.weight.trainable = false;
                loraScale.put(lin.weight.name, lin.loraScale);
            }
        }
        int T = 9;
        int[] tokens = new int[T], targets = new int[T];
        float[] weights = new float[T];
        float wsum = 0;
        for (int t = 0; t < T; t++) {
            tokens[t] = rnd.nextInt(cfg.vocabSize());
            targets[t] = rnd.nextInt(cfg.vocabSize());
            weights[t] = t % 4 == 1 ? 0f : 1f;
            wsum += weights[t];
        }
        float[][] grads = m.params.newGradients();
        Activations acts = m.newActivations(T);
        double lossSum = m.forward(tokens, targets, weights, T, acts);
        m.backward(tokens, targets, weights, T, 1f / wsum, grads, acts);

        List<Param> probed = new ArrayList<>();
        List<Integer> idx = new ArrayList<>();
        for (Param p : m.params.all()) {
            if (!p.trainable) continue;
            for (int j = 0; j < 3; j++) { probed.add(p); idx.add(rnd.nextInt(p.size())); }
        }
        JsonNode ref = runReference(m, cfg, tokens, targets, weights, probed, idx, loraScale);
        assertEquals(ref.get("loss").asDouble(), lossSum / wsum, 1e-4, "loss");
        double maxAbs = 0;
        for (int i = 0; i < probed.size(); i++) maxAbs = Math.max(maxAbs, Math.abs(ref.get("grads").get(i).asDouble()));
        assertTrue(maxAbs > 1e-3, "reference gradients are all ~0; the check would be vacuous");
        for (int i = 0; i < probed.size(); i++) {
            double expected = ref.get("grads").get(i).asDouble();
            double actual = grads[probed.get(i).index][idx.get(i)];
            assertEquals(expected, actual, 2e-4 + 2e-3 * Math.abs(expected),
                    "d loss / d " + probed.get(i).name + "[" + idx.get(i) + "]");
        }
    }

    private JsonNode runReference(TrainableLlama m, LlamaConfig cfg, int[] tokens, int[] targets, float[] weights,
                                  List<Param> probed, List<Integer> idx, ObjectNode loraScale) throws IOException, InterruptedException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode c = om.createObjectNode();
        ObjectNode conf = c.putObject("config");
        conf.put("dim", cfg.dim()).put("heads", cfg.heads()).put("kvHeads", cfg.kvHeads())
                .put("layers", cfg.layers()).put("normEps", cfg.rmsEps()).put("ropeTheta", cfg.ropeTheta())
                .put("ropeDim", cfg.ropeDim());
        var sc = cfg.ropeScaling();
        if (sc.type() != dev.codellm.model.llama.RopeScaling.Type.NONE)
            conf.putObject("ropeScaling").put("type", sc.type().name().toLowerCase(java.util.Locale.ROOT))
                    .put("factor", sc.factor()).put("orig_ctx", sc.originalContext());
        ArrayNode tk = c.putArray("tokens"), tg = c.putArray("targets"), w = c.putArray("weights");
        for (int t = 0; t < tokens.length; t++) { tk.add(tokens[t]); tg.add(targets[t]); w.add(weights[t]); }
        ArrayNode ps = c.putArray("params");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(dir.resolve("params.bin")))) {
            for (Param p : m.params.all()) {
                ps.addObject().put("name", p.name).put("rows", p.rows).put("cols", p.cols);
                ByteBuffer bb = ByteBuffer.allocate(p.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : p.data) bb.putFloat(f);
                out.write(bb.array());
            }
        }
        ArrayNode pr = c.putArray("probes");
        for (int i = 0; i < probed.size(); i++) pr.addArray().add(probed.get(i).name).add(idx.get(i));
        c.set("loraScale", loraScale);
        om.writeValue(dir.resolve("case.json").toFile(), c);
        return ReferencePython.run("reference_llama.py", dir);
    }
}
