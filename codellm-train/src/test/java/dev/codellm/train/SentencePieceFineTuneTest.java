package dev.codellm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.CodellmException;
import dev.codellm.core.SharedData;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.tokenizer.Tokenizer;
import dev.codellm.train.model.Activations;
import dev.codellm.train.model.TrainableLlama;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fine-tuning a SentencePiece Llama (llama2.c's stories260K, vocabulary 512, no FIM tokens): the
 * trainer loads it as the inference engine runs it, learns on text, and writes a GGUF whose
 * vocabulary is the base's, token for token.
 */
class SentencePieceFineTuneTest {
    static final Path BASE = SharedData.require("models/stories260K/stories260K.gguf");
    static final String STORY = "Once upon a time, there was a little cat named Tom. Tom liked to play with a red ball in the sun.\n";

    @TempDir Path dir;

    /** The trainer's forward pass on the loaded base gives the engine's logits: weights, RoPE pairing and GQA are read right. */
    @Test
    void trainerRunsTheBaseAsTheEngineDoes() throws Exception {
        try (GgufFile g = GgufFile.open(BASE); var engine = dev.codellm.model.llama.LlamaModel.load(g, 1)) {
            Tokenizer tok = ModelGguf.tokenizer(g);
            assertEquals(Tokenizer.Kind.SENTENCEPIECE, tok.kind());
            TrainableLlama m = ModelGguf.load(g);
            int[] ids = tok.encode(STORY, true, false);
            int t = ids.length, v = tok.vocabSize();
            Activations a = m.newActivations(t);
            m.forward(ids, null, null, t, a);
            var f = Activations.class.getDeclaredField("logits");
            f.setAccessible(true);
            float[] mine = (float[]) f.get(a);
            float[][] theirs = engine.forwardAll(engine.newSession(t, KvType.F32), ids);
            for (int p = 0; p < t; p++)
                for (int k = 0; k < v; k++)
                    assertEquals(theirs[p][k], mine[p * v + k], 1e-3f * Math.max(1f, Math.abs(theirs[p][k])), "logit " + k + " at " + p);
        }
    }

    private TrainJob.Spec spec(Path data, Path out, double fimRate) {
        TrainOptions o = new TrainOptions(32, 4, 1, 25, 3e-3, 3e-4, 2, 0.0, 1.0, 2, 7, 25, 0, 3600);
        return new TrainJob.Spec(data, out, BASE, "stories-ft", 0, 0, 0, 0, 0, 0, 0, fimRate, 0.5, 0, 8, List.of("attn_q"),
                Set.of("txt"), 0, 4, 1_000_000, o);
    }

    private Path corpus() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("story.txt"), STORY.repeat(20));
        return data;
    }

    @Test
    void fineTunesAndKeepsTheVocabulary() throws Exception {
        Path out = dir.resolve("run");
        Trainer.Result r = TrainJob.run(spec(corpus(), out, 0), new PrintStream(new ByteArrayOutputStream()));
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        double first = new ObjectMapper().readTree(metrics.get(0)).get("loss").asDouble();
        assertTrue(r.trainLoss() < first - 0.5, "loss should fall on a repeated story: " + first + " -> " + r.trainLoss());
        try (GgufFile base = GgufFile.open(BASE); GgufFile tuned = GgufFile.open(out.resolve("model.gguf"))) {
            Tokenizer a = ModelGguf.tokenizer(base), b = ModelGguf.tokenizer(tuned);
            assertEquals("llama", tuned.getString("tokenizer.ggml.model"));
            assertFalse(tuned.has("tokenizer.ggml.merges"));
            assertEquals(a.vocabulary().tokens(), b.vocabulary().tokens());
            for (int i = 0; i < a.vocabSize(); i++) {
                assertEquals(a.vocabulary().score(i), b.vocabulary().score(i), "score of token " + i);
                assertEquals(a.tokenType(i), b.tokenType(i), "type of token " + i);
            }
            assertArrayEquals(a.encode(STORY, true, false), b.encode(STORY, true, false));
            assertEquals(a.bos(), b.bos());
            assertEquals(a.eos(), b.eos());
            try (var engine = dev.codellm.model.llama.LlamaModel.load(tuned, 1)) { // the engine runs the result
                float[][] logits = engine.forwardAll(engine.newSession(8, KvType.F32), new int[] {1, 403, 407, 261});
                assertTrue(Float.isFinite(logits[3][0]));
            }
        }
    }

    @Test
    void fimObjectiveNeedsFimTokens() throws Exception {
        CodellmException e = assertThrows(CodellmException.class,
                () -> TrainJob.run(spec(corpus(), dir.resolve("fim"), 0.5), new PrintStream(new ByteArrayOutputStream())));
        assertTrue(e.getMessage().contains("--fim-rate 0"), e.getMessage());
    }
}
