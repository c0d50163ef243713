package dev.codellm.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.CodellmException;
import dev.codellm.core.SharedData;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TokenizerTest {
    static Tokenizer llama, gpt2, starcoder, deepseek;

    @BeforeAll
    static void load() {
        llama = Tokenizer.fromGguf(SharedData.require("vocab/ggml-vocab-llama-spm.gguf"));
        gpt2 = Tokenizer.fromGguf(SharedData.require("vocab/ggml-vocab-gpt-2.gguf"));
        starcoder = Tokenizer.fromGguf(SharedData.require("vocab/ggml-vocab-starcoder.gguf"));
        deepseek = Tokenizer.fromGguf(SharedData.require("vocab/ggml-vocab-deepseek-coder.gguf"));
    }

    /** Meta's Llama 2 example prompts with the ids Meta's tokenizer gives (as recorded in llama2.c's test.c). */
    @Test
    void llama2PromptsWithBos() {
        Map<String, int[]> cases = Map.of(
                "", new int[] {1},
                "I believe the meaning of life is", new int[] {1, 306, 4658, 278, 6593, 310, 2834, 338},
                "Simply put, the theory of relativity states that ",
                new int[] {1, 3439, 17632, 1925, 29892, 278, 6368, 310, 14215, 537, 5922, 393, 29871},
                "A brief message congratulating the team on the launch:\n\n        Hi everyone,\n\n        I just ",
                new int[] {1, 319, 11473, 2643, 378, 629, 271, 18099, 278, 3815, 373, 278, 6826, 29901, 13, 13, 4706, 6324,
                        14332, 29892, 13, 13, 4706, 306, 925, 29871},
                "Translate English to French:\n\n        sea otter => loutre de mer\n        peppermint => menthe poivrée\n"
                        + "        plush girafe => girafe peluche\n        cheese =>",
                new int[] {1, 4103, 9632, 4223, 304, 5176, 29901, 13, 13, 4706, 7205, 4932, 357, 1149, 301, 449, 276, 316,
                        2778, 13, 4706, 1236, 407, 837, 524, 1149, 6042, 354, 772, 440, 29878, 1318, 13, 4706, 715, 1878,
                        330, 3055, 1725, 1149, 330, 3055, 1725, 4639, 28754, 13, 4706, 923, 968, 1149});
        Tokenizer tiny = Tokenizer.fromGguf(SharedData.require("models/llama-2-tiny-random/llama-2-tiny-random.gguf"));
        cases.forEach((text, ids) -> {
            assertArrayEquals(ids, llama.encode(text, true, false), text);
            assertArrayEquals(ids, tiny.encode(text, true, false), "tiny-random: " + text);
            assertEquals(text, llama.decode(ids));
        });
    }

    /** The 512-token stories260K vocabulary, against the prompt ids llama2.c's run.c produced. */
    @Test
    void stories260kPrompt() {
        Tokenizer t = Tokenizer.fromGguf(SharedData.require("models/stories260K/stories260K.gguf"));
        assertEquals(512, t.vocabSize());
        assertArrayEquals(new int[] {1, 403, 407, 261, 378}, t.encode("Once upon a time", true, false));
    }

    @Test
    void randomUnicodeRoundTrips() {
        Random r = new Random(7);
        for (Tokenizer t : List.of(llama, gpt2, starcoder, deepseek)) {
            for (int i = 0; i < 300; i++) {
                String text = RandomText.next(r, 30);
                assertEquals(text, t.decode(t.encode(text, false, false)), t.vocabulary().name() + ": " + VocabVectorsTest.quote(text));
                assertEquals(text, t.decode(t.encode(text, true, false)), t.vocabulary().name() + " (BOS): " + VocabVectorsTest.quote(text));
            }
        }
    }

    @Test
    void specialTokensOfEachVocabulary() {
        assertEquals(OptionalInt.of(1), llama.bos());
        assertEquals(OptionalInt.of(2), llama.eos());
        assertEquals(OptionalInt.empty(), llama.eot());
        assertEquals(OptionalInt.of(0), llama.specialId("unk"));
        assertTrue(llama.isEndOfGeneration(2));
        assertFalse(llama.isEndOfGeneration(1));
        assertTrue(llama.isControl(1));
        assertFalse(llama.isControl(15043));
        assertTrue(llama.addsBos());

        assertEquals(OptionalInt.of(50256), gpt2.eos());
        assertEquals(OptionalInt.of(50256), gpt2.eot());
        assertTrue(gpt2.isEndOfGeneration(50256));
        assertFalse(gpt2.addsBos());
        assertEquals(OptionalInt.of(50256), gpt2.specialId("<|endoftext|>"));

        assertEquals(OptionalInt.of(1), starcoder.fimPrefix());
        assertEquals(OptionalInt.of(3), starcoder.fimSuffix());
        assertEquals(OptionalInt.of(2), starcoder.fimMiddle());
        assertEquals(OptionalInt.of(4), starcoder.specialId("fim_pad"));
        assertEquals(OptionalInt.of(0), starcoder.eot());
        assertTrue(starcoder.isEndOfGeneration(0));
        assertTrue(starcoder.isEndOfGeneration(4)); // <fim_pad> ends generation, as in llama.cpp

        assertEquals(OptionalInt.of(32013), deepseek.bos());
        assertEquals(OptionalInt.of(32014), deepseek.eos());
        assertEquals(OptionalInt.of(32016), deepseek.specialId("<PRE>"));
        assertEquals(OptionalInt.of(32015), deepseek.specialId("suffix"));
        assertEquals(OptionalInt.of(32017), deepseek.specialId("fim_mid"));
        assertEquals(OptionalInt.of(32014), deepseek.eot());
        assertTrue(deepseek.isControl(32016)); // user-defined in the file, control once recognised as FIM
        int[] withBos = deepseek.encode("hello", true, false); // deepseek-coder's GGUF sets add_bos_token
        assertEquals(32013, withBos[0]);
        assertArrayEquals(deepseek.encode("hello"), Arrays.copyOfRange(withBos, 1, withBos.length));
    }

    @Test
    void controlTokensAreParsedOnlyWhenAsked() {
        assertArrayEquals(new int[] {1, 15043}, llama.encode("<s>Hello", false, true));
        int[] literal = llama.encode("<s>Hello", false, false);
        assertFalse(Arrays.stream(literal).anyMatch(id -> id == 1), Arrays.toString(literal));
        assertEquals("<s>Hello", llama.decode(literal));
        assertEquals("Hello", llama.decode(new int[] {1, 15043}));
        assertEquals("<s> Hello", llama.decode(new int[] {1, 15043}, true));

        assertArrayEquals(new int[] {15496, 50256}, gpt2.encode("Hello<|endoftext|>", false, true));
        int[] plain = gpt2.encode("Hello<|endoftext|>", false, false);
        assertTrue(plain.length > 2);
        assertEquals("Hello<|endoftext|>", gpt2.decode(plain));

        int[] fim = deepseek.encode("<｜fim▁begin｜>def f", false, true);
        assertEquals(32016, fim[0]);
        assertFalse(Arrays.stream(deepseek.encode("<｜fim▁begin｜>def f", false, false)).anyMatch(id -> id == 32016));
        // user-defined tokens are always recognised, as in llama.cpp and Hugging Face tokenizers
        assertTrue(Arrays.stream(deepseek.encode("a<|EOT|>b", false, false)).anyMatch(id -> id == 32021));
    }

    /** Code Llama adds ▁<PRE> ▁<SUF> ▁<MID> ▁<EOT> to the Llama 2 vocabulary; GGUF may or may not name their ids. */
    @Test
    void codeLlamaInfillTokens() {
        Vocabulary base = llama.vocabulary();
        List<String> tokens = new ArrayList<>(base.tokens());
        tokens.addAll(List.of("\u2581<PRE>", "\u2581<SUF>", "\u2581<MID>", "\u2581<EOT>"));
        int n = base.size();
        float[] scores = Arrays.copyOf(base.scores(), n + 4);
        int[] types = Arrays.copyOf(base.tokenTypes(), n + 4);
        Arrays.fill(types, n, n + 4, TokenType.CONTROL.code);

        Tokenizer byText = Tokenizer.of(new Vocabulary("llama", null, tokens, scores, types, List.of(),
                Map.of("bos", 1, "eos", 2), null, null, null, "codellama-like"));
        assertEquals(OptionalInt.of(n), byText.specialId("<PRE>"));
        assertEquals(OptionalInt.of(n + 1), byText.fimSuffix());
        assertEquals(OptionalInt.of(n + 2), byText.fimMiddle());
        assertEquals(OptionalInt.of(n + 3), byText.eot());
        assertEquals(OptionalInt.of(n + 3), byText.specialId("<EOT>"));
        assertTrue(byText.isEndOfGeneration(n + 3));
        assertEquals(OptionalInt.of(n), byText.specialId("\u2581<PRE>"));

        // ids from the metadata (tokenizer.ggml.prefix_token_id, ...) win over the text search
        Tokenizer byKey = Tokenizer.of(new Vocabulary("llama", null, tokens, scores, types, List.of(),
                Map.of("fim_pre", n + 2, "fim_suf", n + 1, "fim_mid", n, "eot", n + 3), null, null, null, "keys"));
        assertEquals(OptionalInt.of(n + 2), byKey.fimPrefix());
        assertEquals(OptionalInt.of(n), byKey.fimMiddle());
        assertEquals(OptionalInt.of(1), byKey.bos()); // llama.cpp's SentencePiece defaults
        // A prompt in Code Llama's infill layout keeps the marker ids when special tokens are parsed
        int[] ids = byText.encode("\u2581<PRE>def f():", true, true);
        assertEquals(1, ids[0]);
        assertEquals(n, ids[1]);
    }

    @Test
    void streamingDecoderEmitsOnlyWholeCharacters() {
        for (Tokenizer t : List.of(llama, gpt2, deepseek)) {
            String text = "llama 🦙 says 我想在 ok ✅";
            int[] ids = t.encode(text, true, false);
            StreamingDecoder d = t.streamingDecoder();
            StringBuilder sb = new StringBuilder();
            for (int id : ids) {
                String piece = d.accept(id);
                assertFalse(piece.contains("\uFFFD"), "partial character emitted: " + piece);
                sb.append(piece);
            }
            assertFalse(d.hasPending());
            assertEquals("", d.flush());
            assertEquals(" " + text, llama == t ? sb.toString() : " " + sb); // SentencePiece: the stream keeps the dummy space
        }
        // byte fallback: the llama emoji is four byte tokens, nothing comes out until the last
        StreamingDecoder d = llama.streamingDecoder();
        int[] bytes = {243, 162, 169, 156};
        assertEquals("", d.accept(bytes[0]));
        assertEquals("", d.accept(bytes[1]));
        assertEquals("", d.accept(bytes[2]));
        assertTrue(d.hasPending());
        assertEquals("🦙", d.accept(bytes[3]));
        d.accept(bytes[0]);
        assertEquals("\uFFFD", d.flush()); // an unfinished character at the end
    }

    @Test
    void tokenBytesAndTexts() {
        assertArrayEquals(" Hello".getBytes(StandardCharsets.UTF_8), llama.tokenBytes(15043));
        assertEquals("\u2581Hello", llama.tokenText(15043));
        assertArrayEquals(new byte[] {(byte) 0xF0}, llama.tokenBytes(243)); // <0xF0>
        assertEquals(TokenType.BYTE, llama.tokenType(243));
        assertArrayEquals(" world".getBytes(StandardCharsets.UTF_8), gpt2.tokenBytes(995));
        assertEquals("\u0120world", gpt2.tokenText(995));
        assertEquals(32000, llama.vocabSize());
        assertEquals(50257, gpt2.vocabSize());
        assertEquals(Tokenizer.Kind.SENTENCEPIECE, llama.kind());
        assertEquals(Tokenizer.Kind.BYTE_LEVEL_BPE, gpt2.kind());
    }

    @Test
    void badInputIsReportedClearly() {
        Vocabulary v = gpt2.vocabulary();
        var e1 = assertThrows(CodellmException.class, () -> Tokenizer.of(new Vocabulary("bert", null, v.tokens(), null, null,
                List.of(), Map.of(), null, null, null, "x")));
        assertTrue(e1.getMessage().contains("unsupported tokenizer model 'bert'"), e1.getMessage());
        var e2 = assertThrows(CodellmException.class, () -> Tokenizer.of(new Vocabulary("gpt2", "klingon", v.tokens(), null, null,
                v.merges(), Map.of(), null, null, null, "x")));
        assertTrue(e2.getMessage().contains("unsupported pre-tokenizer 'klingon'"), e2.getMessage());
        var e3 = assertThrows(CodellmException.class, () -> Tokenizer.of(new Vocabulary("gpt2", "gpt-2", v.tokens(), null, null,
                List.of("Ġt"), Map.of(), null, null, null, "x")));
        assertTrue(e3.getMessage().contains("malformed BPE merge"), e3.getMessage());
        var e4 = assertThrows(CodellmException.class, () -> gpt2.decode(new int[] {15496, 50257}));
        assertTrue(e4.getMessage().contains("token id 50257 is outside the vocabulary"), e4.getMessage());
        assertThrows(CodellmException.class, () -> new Vocabulary("llama", null, List.of(), null, null, null, null, null, null, null, "x"));
        assertThrows(CodellmException.class, () -> new Vocabulary("llama", null, List.of("a", "b"), new float[1], null, null, null, null, null, null, "x"));
    }

    @Test
    void longInputsEncodeCompletely() {
        // 200k characters in one piece of text: exercises the heap-based merge on long symbol chains
        String line = "    def forward(self, x):  # naïve 🦙 comment\n        return self.w2(silu(self.w1(x)) * self.w3(x))\n";
        String text = line.repeat(2000);
        for (Tokenizer t : List.of(llama, gpt2, deepseek, starcoder)) {
            int[] ids = t.encode(text, false, false);
            assertEquals(text, t.decode(ids));
            assertTrue(ids.length > 2000 && ids.length < text.getBytes(StandardCharsets.UTF_8).length, t.vocabulary().name());
        }
        assertTrue(IntStream.of(gpt2.encode(text)).allMatch(id -> id >= 0 && id < gpt2.vocabSize()));
    }
}
