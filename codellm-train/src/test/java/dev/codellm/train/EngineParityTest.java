package dev.codellm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.tokenizer.SpecialTokens;
import dev.codellm.train.model.Activations;
import dev.codellm.train.model.TrainableLlama;
import dev.codellm.model.llama.LlamaConfig;
import dev.codellm.train.model.Param;
import dev.codellm.model.tokenizer.Tokenizer;
import dev.codellm.train.tokenizer.BpeTrainer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint the trainer writes, run by the inference engine: same logits as the trainer's own
 * forward pass, so tensor layout, RoPE pairing, GQA grouping and tied/untied output agree.
 */
class EngineParityTest {
    @TempDir Path dir;

    @Test
    void engineReproducesTrainerLogitsUntiedGqa() throws Exception {
        check(false, 2);
    }

    @Test
    void engineReproducesTrainerLogitsTied() throws Exception {
        check(true, 4);
    }

    private void check(boolean tied, int kvHeads) throws Exception {
        BpeTrainer bt = new BpeTrainer();
        bt.add("def add(a, b):\n    return a + b\n");
        Tokenizer tok = bt.train(30, SpecialTokens.CODE_LLAMA_SPELLINGS);
        TrainableLlama m = new TrainableLlama(new LlamaConfig(64, 2, 4, kvHeads, 96, tok.vocabSize(), 64, 1e-5f, 10000f, tied));
        m.initRandom(5);
        Random rnd = new Random(6);
        for (Param p : m.params.all()) for (int i = 0; i < p.data.length; i++) p.data[i] += (float) rnd.nextGaussian() * (p.isVector() ? 0.2f : 0.05f);
        Path file = dir.resolve("m.gguf");
        ModelGguf.write(m, tok, "parity", file);

        int T = 24;
        int[] ids = new int[T];
        for (int t = 0; t < T; t++) ids[t] = rnd.nextInt(tok.vocabSize());
        Activations a = m.newActivations(T);
        m.forward(ids, null, null, T, a);
        var f = Activations.class.getDeclaredField("logits");
        f.setAccessible(true);
        float[] mine = (float[]) f.get(a);

        try (GgufFile g = GgufFile.open(file); var engine = dev.codellm.model.llama.LlamaModel.load(g, 1)) {
            float[][] theirs = engine.forwardAll(engine.newSession(T, KvType.F32), ids);
            int V = tok.vocabSize();
            for (int t = 0; t < T; t++)
                for (int v = 0; v < V; v++)
                    assertEquals(mine[t * V + v], theirs[t][v], 1e-4f, "logit of token " + v + " at position " + t);
        }
    }
}
