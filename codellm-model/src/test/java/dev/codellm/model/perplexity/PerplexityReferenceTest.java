package dev.codellm.model.perplexity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.kernels.UseKernels;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.LlamaModel;
import dev.codellm.model.llama.NumpyReference;
import dev.codellm.model.llama.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Both perplexity methods against reference_perplexity.py, which cuts the windows itself (from
 * llama-perplexity's and Hugging Face's descriptions) over the independent numpy forward pass:
 * the same tokens scored, in the same order, at the same positions, each NLL within 1e-4 (F32
 * weights and KV cache). The windows are longer than the scorer's 256-row chunks so that the
 * chunks that need no logits and the partly scored ones are both exercised.
 */
@UseKernels(UseKernels.Path.JAVA)
class PerplexityReferenceTest {
    static final int BOS = 1;

    @TempDir
    static Path dir;
    static Path gguf;
    static int[] tokens;

    @BeforeAll
    static void model() throws Exception {
        gguf = TinyModels.write(dir.resolve("tiny.gguf"), GgmlType.F32, false, 1e6f, 77);
        NumpyReference.writeTensors(gguf, dir.resolve("ref"));
        NumpyReference.writeConfig(dir.resolve("ref"), false, 1e6f, 0, new int[0], false, "");
        tokens = new SplittableRandom(5).ints(700, 0, TinyModels.VOCAB).toArray();
        tokens[0] = BOS;
    }

    @ParameterizedTest
    @CsvSource({"llama.cpp, 300, 0", "sliding, 300, 120", "sliding, 64, 64"})
    void matchesNumpy(String method, int ctx, int stride) throws Exception {
        PerplexityMethod m = PerplexityMethod.parse(method);
        TokenScores ours;
        try (GgufFile f = GgufFile.open(gguf); LlamaModel model = LlamaModel.load(f, 1)) {
            ours = new PerplexityScorer(model, KvType.F32, m, ctx, Math.max(1, stride), BOS).score(tokens, n -> { });
        }
        Path work = dir.resolve("ref");
        Files.writeString(work.resolve("ppl.json"), String.format(Locale.ROOT, "{\"tokens\": %s, \"ctx\": %d, \"stride\": %d, \"method\": \"%s\", \"bos\": %d}",
                Arrays.toString(tokens), ctx, Math.max(1, stride), method, BOS));
        Path forward = NumpyReference.copyForward(work);
        Path script = NumpyReference.copyScript(work, "perplexity/reference_perplexity.py");
        NumpyReference.run(300, script.toString(), work.toString(), forward.getParent().toString());
        List<String> lines = Files.readAllLines(work.resolve("ppl.txt"));
        assertEquals(lines.size(), ours.count(), "scored token count");
        assertTrue(ours.count() > 0);
        double worst = 0;
        for (int i = 0; i < lines.size(); i++) {
            String[] p = lines.get(i).split(" ");
            assertEquals(Integer.parseInt(p[0]), ours.position()[i], "position of scored token " + i);
            double err = Math.abs(Double.parseDouble(p[1]) - ours.nll()[i]);
            worst = Math.max(worst, err);
            assertTrue(err < 1e-4, method + " token " + i + ": nll " + ours.nll()[i] + " vs numpy " + p[1]);
        }
        System.out.printf("%s ctx %d: %d tokens, worst |nll - numpy| %.2e%n", method, ctx, ours.count(), worst);
    }

    @Test
    void windowPlansScoreEachTokenOnce() {
        try (GgufFile f = GgufFile.open(gguf); LlamaModel model = LlamaModel.load(f, 1)) {
            PerplexityScorer sliding = new PerplexityScorer(model, KvType.F16, PerplexityMethod.SLIDING, 100, 30, BOS);
            boolean[] seen = new boolean[1000];
            for (PerplexityScorer.Window w : sliding.plan(1000)) {
                assertTrue(w.length() <= 100);
                for (int r = w.scoreFrom(); r < w.scoreTo(); r++) {
                    int t = w.start() + r + 1;
                    assertTrue(!seen[t], "token " + t + " scored twice");
                    seen[t] = true;
                }
            }
            for (int t = 1; t < 1000; t++) assertTrue(seen[t], "token " + t + " never scored");
            PerplexityScorer llama = new PerplexityScorer(model, KvType.F16, PerplexityMethod.LLAMA_CPP, 100, 0, BOS);
            // 1050 tokens: ten windows, the last 50 tokens dropped; 49 scored per window as llama-perplexity's count
            assertEquals(10, llama.plan(1050).size());
            assertEquals(490, llama.plan(1050).stream().mapToInt(w -> w.scoreTo() - w.scoreFrom()).sum());
        }
    }
}
