package dev.codellm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.SharedData;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufWriter;
import dev.codellm.model.tokenizer.PreTokenizer;
import dev.codellm.model.tokenizer.Tokenizer;
import dev.codellm.model.tokenizer.SpecialTokens;
import dev.codellm.train.tokenizer.BpeTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Merge learning, and the shared encoder on the vocabularies it learns. */
class BpeTrainerTest {
    static final String CODE = "def add(a, b):\n    return a + b\n\nclass Foo:\n    def bar(self):\n        return self.x\n";

    @TempDir Path dir;

    static Tokenizer trained() {
        BpeTrainer t = new BpeTrainer();
        for (int i = 0; i < 20; i++) t.add(CODE.replace("Foo", "Foo" + i));
        return t.train(100, SpecialTokens.CODE_LLAMA_SPELLINGS);
    }

    /** The encoder the trainer uses, against llama.cpp's reference token ids for the real GPT-2 vocabulary. */
    @Test
    void encodesLikeLlamaCppOnGpt2Vocab() throws Exception {
        Path vocab = SharedData.require("vocab/ggml-vocab-gpt-2.gguf");
        Tokenizer tok;
        try (GgufFile g = GgufFile.open(vocab)) {
            tok = ModelGguf.tokenizer(g);
        }
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
        Tokenizer tok = trained();
        int[] ids = tok.encode(CODE);
        assertEquals(CODE, tok.decode(ids));
        assertTrue(ids.length <= words(CODE).size() && ids.length < CODE.length() / 2,
                "merges should make every repeated piece one token: " + ids.length);
        assertEquals(tok.vocabSize() - 4, tok.specialTokens().require("fim_pre"));
        assertEquals("héllo ✓ 🦙", tok.decode(tok.encode("héllo ✓ 🦙")));
        assertEquals(tok.vocabSize(), tok.vocabulary().tokens().stream().distinct().count(), "no duplicate spellings");
    }

    static List<String> words(String text) {
        return PreTokenizer.of(BpeTrainer.PRE_TOKENIZER).words(text);
    }

    /** Merges are learned within the learner's pre-tokens, so they must be the encoder's pre-tokens too. */
    @Test
    void learnerSplitsTextExactlyAsTheEncoderDoes() {
        Tokenizer tok = trained();
        assertEquals(BpeTrainer.PRE_TOKENIZER, tok.vocabulary().preTokenizer());
        String text = CODE + "  x = 'it''s'  \t\n\n  y=1_000.5e3 // héllo ✓ 🦙 don't   \n  \n";
        List<String> pieces = words(text);
        assertTrue(pieces.size() > 40, pieces.toString());
        assertEquals(text, String.join("", pieces));
        int[] whole = tok.encode(text);
        int[] joined = pieces.stream().flatMapToInt(p -> Arrays.stream(tok.encode(p))).toArray();
        assertArrayEquals(whole, joined);
    }

    /** What the trainer saves (tokenizer.gguf, model.gguf) reloads into a tokenizer that encodes alike. */
    @Test
    void savedVocabularyReloadsIdentically() throws Exception {
        Tokenizer tok = trained();
        GgufWriter w = new GgufWriter().putString("general.architecture", "llama");
        ModelGguf.putTokenizer(w, tok, ModelGguf.defaultChatTemplate());
        Path p = dir.resolve("tokenizer.gguf");
        w.write(p);
        try (GgufFile g = GgufFile.open(p)) {
            Tokenizer back = ModelGguf.tokenizer(g);
            assertEquals(tok.vocabulary().tokens(), back.vocabulary().tokens());
            assertEquals(tok.vocabulary().merges(), back.vocabulary().merges());
            assertArrayEquals(tok.encode(CODE), back.encode(CODE));
            assertEquals(tok.specialTokens().roles(), back.specialTokens().roles());
            assertArrayEquals(tok.encode("<PRE>x", true, true), back.encode("<PRE>x", true, true));
        }
    }
}
