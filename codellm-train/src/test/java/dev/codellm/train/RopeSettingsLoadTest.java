package dev.codellm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufWriter;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.LlamaConfig;
import dev.codellm.model.llama.RopeScaling;
import dev.codellm.model.llama.LlamaModel;
import dev.codellm.model.tokenizer.SpecialTokens;
import dev.codellm.model.tokenizer.Tokenizer;
import dev.codellm.train.model.Activations;
import dev.codellm.train.model.Param;
import dev.codellm.train.model.TrainableLlama;
import dev.codellm.train.tokenizer.BpeTrainer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A base model whose RoPE rotates only part of each head ({@code llama.rope.dimension_count}) or is
 * scaled for a longer context ({@code llama.rope.scaling.*}): the trainer continues from it with
 * the positions the engine uses. Before the one GGUF schema, the trainer's own reader dropped both
 * keys and fine-tuned a different model than the one {@code complete} then ran (all three failed).
 */
class RopeSettingsLoadTest {
    @TempDir Path dir;

    @Test
    void partialRopeDimensionIsKept() throws Exception {
        check(8, null, 0f, 0);
    }

    @Test
    void linearScalingIsKept() throws Exception {
        check(16, "linear", 4f, 0);
    }

    @Test
    void yarnScalingIsKept() throws Exception {
        check(16, "yarn", 4f, 16);
    }

    /** What the trainer writes reads back as the config it trained (rope settings of its base included). */
    @Test
    void trainedFileReadsBackAsItsConfig() throws Exception {
        BpeTrainer bt = new BpeTrainer();
        bt.add("def add(a, b):\n    return a + b\n");
        Tokenizer tok = bt.train(30, SpecialTokens.CODE_LLAMA_SPELLINGS);
        LlamaConfig c = new LlamaConfig(64, 2, 4, 2, 96, tok.vocabSize(), 64, 1e-6f, 5e5f, 8,
                new RopeScaling(RopeScaling.Type.YARN, 4f, 16), false);
        Path file = dir.resolve("trained.gguf");
        ModelGguf.write(new TrainableLlama(c), tok, "trained", file);
        try (GgufFile g = GgufFile.open(file)) {
            assertEquals(c, LlamaConfig.fromGguf(g));
            assertEquals(c, ModelGguf.load(g).config);
        }
    }

    /** Trainer-written model (head size 16), re-saved with the given rope keys, run by trainer and engine. */
    private void check(int ropeDim, String scaling, float factor, int origCtx) throws Exception {
        BpeTrainer bt = new BpeTrainer();
        bt.add("def add(a, b):\n    return a + b\n");
        Tokenizer tok = bt.train(30, SpecialTokens.CODE_LLAMA_SPELLINGS);
        Path plain = dir.resolve("plain.gguf");
        ModelGguf.write(randomModel(tok), tok, "rope", plain);
        Path file = dir.resolve("rope.gguf");
        try (GgufFile g = GgufFile.open(plain)) {
            GgufWriter w = new GgufWriter().putAll(g).putUInt32("llama.rope.dimension_count", ropeDim);
            if (scaling != null) {
                w.putString("llama.rope.scaling.type", scaling).putFloat32("llama.rope.scaling.factor", factor);
                if (origCtx > 0) w.putUInt32("llama.rope.scaling.original_context_length", origCtx);
            }
            g.tensors().forEach(w::addTensor);
            w.write(file);
        }

        int T = 40; // past the original context of the yarn case, where scaling changes the rotation most
        Random rnd = new Random(7);
        int[] ids = new int[T];
        for (int t = 0; t < T; t++) ids[t] = rnd.nextInt(tok.vocabSize());
        try (GgufFile g = GgufFile.open(file); LlamaModel engine = LlamaModel.load(g, 1)) {
            TrainableLlama m = ModelGguf.load(g);
            Activations a = m.newActivations(T);
            m.forward(ids, null, null, T, a);
            var f = Activations.class.getDeclaredField("logits");
            f.setAccessible(true);
            float[] mine = (float[]) f.get(a);
            float[][] theirs = engine.forwardAll(engine.newSession(T, KvType.F32), ids);
            int V = tok.vocabSize();
            for (int t = 0; t < T; t++)
                for (int v = 0; v < V; v++)
                    assertEquals(theirs[t][v], mine[t * V + v], 1e-4f, "logit of token " + v + " at position " + t);
        }
    }

    private static TrainableLlama randomModel(Tokenizer tok) {
        TrainableLlama m = new TrainableLlama(new LlamaConfig(64, 2, 4, 2, 96, tok.vocabSize(), 64, 1e-5f, 10000f, false));
        m.initRandom(5);
        Random rnd = new Random(6);
        for (Param p : m.params.all())
            for (int i = 0; i < p.data.length; i++) p.data[i] += (float) rnd.nextGaussian() * (p.isVector() ? 0.2f : 0.08f);
        return m;
    }
}
