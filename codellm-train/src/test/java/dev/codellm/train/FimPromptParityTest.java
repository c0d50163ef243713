package dev.codellm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.codellm.core.CompletionRequest;
import dev.codellm.core.SamplingParams;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.generate.GeneratorOptions;
import dev.codellm.model.generate.InfillFormat;
import dev.codellm.model.generate.LocalGenerator;
import dev.codellm.model.llama.ModelShape;
import dev.codellm.model.llama.SyntheticGguf;
import dev.codellm.model.tokenizer.SpecialTokens;
import dev.codellm.model.tokenizer.Tokenizer;
import dev.codellm.train.data.FimTransform;
import dev.codellm.model.llama.LlamaConfig;
import dev.codellm.train.model.TrainableLlama;
import dev.codellm.train.tokenizer.BpeTrainer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A FIM training example starts with exactly the prompt ids {@code infill} (and the server's
 * {@code /infill}) send for the same prefix and suffix, so a model fine-tuned with
 * {@code --fim-rate > 0} learns the prompt it is later given: on a SentencePiece vocabulary, where
 * the suffix must be encoded without the dummy-prefix space (Code Llama's encode_infilling), and on
 * a byte-level BPE one. After the prompt come the middle (as the model writes it after the
 * prompt) and {@code <EOT>}.
 */
class FimPromptParityTest {
    static final List<String[]> CASES = List.of(
            new String[] {"def add(a, b):\n    ", "c = a + b", "\n    return c\n"},
            new String[] {"import os\n", "x", " = 3  # spaces first"},
            new String[] {"", "print(1)", ""});

    @TempDir Path dir;

    @Test
    void sentencePieceExamplesStartWithTheInfillPrompt() {
        Path gguf = dir.resolve("codellama-vocab.gguf");
        SyntheticGguf.write(gguf, ModelShape.TINY, GgmlType.Q8_0, 1, 7);
        check(gguf, Tokenizer.fromGguf(gguf));
    }

    @Test
    void byteLevelBpeExamplesStartWithTheInfillPrompt() throws Exception {
        BpeTrainer bt = new BpeTrainer();
        for (String[] c : CASES) bt.add(String.join("", c));
        Tokenizer tok = bt.train(40, SpecialTokens.CODE_LLAMA_SPELLINGS);
        TrainableLlama m = new TrainableLlama(new LlamaConfig(16, 1, 2, 2, 32, tok.vocabSize(), 64, 1e-5f, 10000f, true));
        m.initRandom(1);
        Path gguf = dir.resolve("bpe.gguf");
        ModelGguf.write(m, tok, "bpe", gguf);
        check(gguf, tok);
    }

    private static void check(Path gguf, Tokenizer tok) {
        FimTransform fim = new FimTransform(tok, 1.0, 0.5);
        int eot = tok.specialTokens().require("eot");
        for (InfillFormat format : InfillFormat.values()) {
            try (LocalGenerator infill = LocalGenerator.open(gguf, new GeneratorOptions(256, "f16", null, format, 1))) {
                for (String[] c : CASES) {
                    String prefix = c[0], middle = c[1], suffix = c[2];
                    int[] prompt = infill.promptIds(new CompletionRequest(prefix, suffix, SamplingParams.GREEDY));
                    int[] example = fim.example(prefix, middle, suffix, format);
                    String what = format + " " + Arrays.toString(c);
                    assertArrayEquals(prompt, Arrays.copyOf(example, prompt.length), what);
                    assertEquals(eot, example[example.length - 1], what);
                    int[] mid = Arrays.copyOfRange(example, prompt.length, example.length - 1);
                    assertEquals(middle, decodeInfill(tok, mid), what);
                }
            }
        }
    }

    /** The middle as infill shows it: decoded without dropping a leading space (Code Llama's decode_infilling). */
    private static String decodeInfill(Tokenizer tok, int[] ids) {
        var d = tok.streamingDecoder();
        StringBuilder sb = new StringBuilder();
        for (int id : ids) sb.append(d.accept(id));
        return sb.append(d.flush()).toString();
    }
}
