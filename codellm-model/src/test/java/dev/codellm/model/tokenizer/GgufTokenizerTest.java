package dev.codellm.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.CodellmException;
import dev.codellm.core.SharedData;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokenizers built from GGUF files we write: metadata keys, missing tokenizer, shared use. */
class GgufTokenizerTest {
    @TempDir
    Path tmp;

    /** A Code Llama-style file: the Llama 2 vocabulary plus infill tokens named by the older FIM keys. */
    @Test
    void codeLlamaFimKeysAreRead() {
        Path out = tmp.resolve("codellama-like.gguf");
        int n;
        try (GgufFile base = GgufFile.open(SharedData.require("vocab/ggml-vocab-llama-spm.gguf"))) {
            List<String> tokens = new ArrayList<>(List.of(base.getStringArray("tokenizer.ggml.tokens")));
            n = tokens.size();
            // deliberately odd texts: the ids must come from the keys, not from a text search
            tokens.addAll(List.of("<fill-a>", "<fill-b>", "<fill-c>", "<fill-d>"));
            float[] scores = Arrays.copyOf(base.getFloatArray("tokenizer.ggml.scores"), n + 4);
            int[] types = Arrays.copyOf(base.getIntArray("tokenizer.ggml.token_type"), n + 4);
            Arrays.fill(types, n, n + 4, TokenType.CONTROL.code);
            new GgufWriter().putAll(base)
                    .putStrings("tokenizer.ggml.tokens", tokens)
                    .putFloats("tokenizer.ggml.scores", scores)
                    .putInt32s("tokenizer.ggml.token_type", types)
                    .putUInt32("tokenizer.ggml.prefix_token_id", n)
                    .putUInt32("tokenizer.ggml.suffix_token_id", n + 1)
                    .putUInt32("tokenizer.ggml.middle_token_id", n + 2)
                    .putUInt32("tokenizer.ggml.eot_token_id", n + 3)
                    .putUInt32("tokenizer.ggml.padding_token_id", 0xFFFFFFFFL) // "none"
                    .write(out);
        }
        Tokenizer t = Tokenizer.fromGguf(out);
        assertEquals(n + 4, t.vocabSize());
        assertEquals(OptionalInt.of(n), t.fimPrefix());
        assertEquals(OptionalInt.of(n + 1), t.specialId("<SUF>"));
        assertEquals(OptionalInt.of(n + 2), t.specialId("middle"));
        assertEquals(OptionalInt.of(n + 3), t.eot());
        assertTrue(t.isEndOfGeneration(n + 3));
        assertEquals(OptionalInt.empty(), t.specialId("pad"));
        assertArrayEquals(new int[] {1, n, 822, 285, 7295, n + 2}, t.encode("<fill-a>def f():<fill-c>", true, true));
    }

    @Test
    void fileWithoutTokenizerIsAClearError() {
        Path out = tmp.resolve("no-vocab.gguf");
        new GgufWriter().putString("general.architecture", "llama").write(out);
        var e = assertThrows(CodellmException.class, () -> Tokenizer.fromGguf(out));
        assertTrue(e.getMessage().contains("no tokenizer in this GGUF file"), e.getMessage());
    }

    @Test
    void oneTokenizerServesManyThreads() throws Exception {
        Tokenizer t = Tokenizer.fromGguf(SharedData.require("vocab/ggml-vocab-deepseek-coder.gguf"));
        Random r = new Random(5);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 200; i++) texts.add(RandomText.next(r, 60));
        List<int[]> expected = new ArrayList<>();
        Tokenizer fresh = Tokenizer.fromGguf(SharedData.require("vocab/ggml-vocab-deepseek-coder.gguf"));
        for (String s : texts) expected.add(fresh.encode(s));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int k = 0; k < 8; k++) {
                final int offset = k;
                List<int[]> exp = expected;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < texts.size(); i++) {
                        int j = (i + offset * 25) % texts.size();
                        if (!Arrays.equals(exp.get(j), t.encode(texts.get(j)))) return false;
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) assertTrue(f.get());
        } finally {
            pool.shutdownNow();
        }
    }
}
