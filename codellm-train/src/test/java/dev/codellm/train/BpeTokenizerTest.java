package dev.codellm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.SharedData;
import dev.codellm.train.gguf.GgufIn;
import dev.codellm.train.tokenizer.BpeTokenizer;
import dev.codellm.train.tokenizer.BpeTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BpeTokenizerTest {
    /** The encoder against llama.cpp's reference token ids for the real GPT-2 vocabulary. */
    @Test
    void encodesLikeLlamaCppOnGpt2Vocab() throws Exception {
        Path vocab = SharedData.require("vocab/ggml-vocab-gpt-2.gguf");
        BpeTokenizer tok = BpeTokenizer.fromGguf(GgufIn.read(vocab));
        String[] inputs = Files.readString(Path.of(vocab + ".inp")).split("\n__ggml_vocab_test__\n", -1);
        List<String> expected = Files.readAllLines(Path.of(vocab + ".out"));
        int checked = 0;
        for (int i = 0; i < expected.size(); i++) {
            String in = inputs[i];
            int[] want = expected.get(i).isBlank() ? new int[0]
                    : Arrays.stream(expected.get(i).trim().split(" ")).mapToInt(Integer::parseInt).toArray();
            assertArrayEquals(want, tok.encode(in), "case " + i + ": '" + in + "'");
            assertEquals(in, tok.decode(want));
            checked++;
        }
        assertTrue(checked > 30);
    }

    @Test
    void trainedVocabularyRoundTripsAndCompresses() {
        BpeTrainer t = new BpeTrainer();
        String code = "def add(a, b):\n    return a + b\n\nclass Foo:\n    def bar(self):\n        return self.x\n";
        for (int i = 0; i < 20; i++) t.add(code.replace("Foo", "Foo" + i));
        BpeTokenizer tok = t.train(100, List.of("<s>", "</s>", "<PRE>", "<SUF>", "<MID>", "<EOT>"));
        int[] ids = tok.encode(code);
        assertEquals(code, tok.decode(ids));
        assertTrue(ids.length <= dev.codellm.train.tokenizer.ByteLevel.split(code).size() && ids.length < code.length() / 2,
                "merges should make every repeated piece one token: " + ids.length);
        assertEquals(tok.size() - 4, tok.special("<PRE>"));
        assertEquals("héllo ✓ 🦙", tok.decode(tok.encode("héllo ✓ 🦙")));
        assertEquals(tok.size(), tok.tokens().stream().distinct().count(), "no duplicate spellings");
    }
}
