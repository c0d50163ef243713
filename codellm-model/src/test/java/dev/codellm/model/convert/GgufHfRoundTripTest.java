package dev.codellm.model.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.CodellmException;
import dev.codellm.core.SharedData;
import dev.codellm.core.io.Json;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufTensor;
import dev.codellm.model.gguf.GgufValue;
import dev.codellm.model.llama.LlamaGguf;
import dev.codellm.model.llama.ModelShape;
import dev.codellm.model.llama.NumpyReference;
import dev.codellm.model.llama.SyntheticGguf;
import dev.codellm.model.llama.TinyModels;
import dev.codellm.model.tokenizer.Tokenizer;
import dev.codellm.model.tokenizer.VocabVectorsTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GGUF → Hugging Face → GGUF gives the same model: identical tensors (types, shapes, bytes: the Q/K
 * permutation undone and redone), the same config and the same tokenizer keys. The exported
 * tokenizer.model encodes as the original SentencePiece model does (python3-sentencepiece on
 * both), and a byte-level BPE vocabulary (DeepSeek-Coder's) goes out as tokenizer.json and comes
 * back reproducing llama.cpp's reference vectors for it.
 */
class GgufHfRoundTripTest {
    static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());
    static final List<String> TOKENIZER_KEYS = List.of("tokenizer.ggml.model", "tokenizer.ggml.tokens", "tokenizer.ggml.scores",
            "tokenizer.ggml.token_type", "tokenizer.ggml.merges", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
            "tokenizer.ggml.unknown_token_id", "tokenizer.ggml.padding_token_id", "tokenizer.ggml.prefix_token_id",
            "tokenizer.ggml.suffix_token_id", "tokenizer.ggml.middle_token_id", "tokenizer.ggml.eot_token_id",
            "tokenizer.ggml.add_bos_token", "tokenizer.ggml.pre", "tokenizer.chat_template");

    @TempDir Path dir;

    static void assertSameModel(Path a, Path b) {
        assertSameModel(a, b, false);
    }

    /**
     * {@code specialLooking}: the original came from an older llama.cpp converter that left added
     * tokens like &lt;｜fim▁hole｜&gt; USER_DEFINED; llama.cpp's converter now makes added tokens that
     * look special CONTROL, and so does ours: those types are expected to change, nothing else.
     */
    static void assertSameModel(Path a, Path b, boolean specialLooking) {
        try (GgufFile x = GgufFile.open(a); GgufFile y = GgufFile.open(b)) {
            assertEquals(LlamaGguf.read(x), LlamaGguf.read(y));
            assertEquals(x.tensors().size(), y.tensors().size());
            for (GgufTensor t : x.tensors()) {
                GgufTensor u = y.tensor(t.name());
                assertEquals(t.type(), u.type(), t.name());
                assertArrayEquals(t.shape(), u.shape(), t.name());
                assertArrayEquals(t.data().toArray(ValueLayout.JAVA_BYTE), u.data().toArray(ValueLayout.JAVA_BYTE), t.name());
            }
            if (specialLooking) {
                String[] tokens = x.getStringArray("tokenizer.ggml.tokens");
                int[] want = x.getIntArray("tokenizer.ggml.token_type"), got = y.getIntArray("tokenizer.ggml.token_type");
                for (int i = 0; i < want.length; i++) {
                    int w = want[i] == 4 && HfTokenizer.looksSpecial(tokens[i]) ? 3 : want[i];
                    assertEquals(w, got[i], "token type of " + i + " " + tokens[i]);
                }
            }
            for (String k : TOKENIZER_KEYS) {
                if (!x.has(k) && k.equals("tokenizer.ggml.pre")) continue;
                if (specialLooking && k.equals("tokenizer.ggml.token_type")) continue;  // convert always names it ("default" for SentencePiece)
                assertEquals(x.has(k), y.has(k), k);
                if (x.has(k)) assertEquals(show(x.entry(k).orElseThrow()), show(y.entry(k).orElseThrow()), k + firstDifference(x, y, k));
            }
        }
    }

    /** Where two array values first differ, for the failure message. */
    static String firstDifference(GgufFile x, GgufFile y, String k) {
        Object a = x.entry(k).orElseThrow().value(), b = y.entry(k).orElseThrow().value();
        if (a instanceof int[] p && b instanceof int[] q) {
            for (int i = 0; i < Math.min(p.length, q.length); i++) if (p[i] != q[i]) return " (first at " + i + ": " + p[i] + " vs " + q[i] + ")";
        }
        if (a instanceof List<?> p && b instanceof List<?> q) {
            for (int i = 0; i < Math.min(p.size(), q.size()); i++) if (!p.get(i).equals(q.get(i))) return " (first at " + i + ": " + p.get(i) + " vs " + q.get(i) + ")";
        }
        return "";
    }

    static String show(GgufValue v) {
        Object o = v.value();
        return switch (o) {
            case float[] f -> Arrays.toString(f);
            case int[] i -> Arrays.toString(i);
            case long[] l -> Arrays.toString(l);
            default -> String.valueOf(o);
        };
    }

    @Test
    void sentencePieceModelRoundTripsAndSentencepieceAgrees() throws Exception {
        Path gguf = dir.resolve("codellama-tiny.gguf"), hf = dir.resolve("hf"), back = dir.resolve("back.gguf");
        SyntheticGguf.write(gguf, ModelShape.parse("tiny"), GgmlType.F16, 0, 5);
        GgufToHf.Result r = GgufToHf.export(gguf, hf, QUIET);
        assertEquals("tokenizer.model", r.tokenizerFile());
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.model", "tokenizer_config.json"))
            assertTrue(Files.isRegularFile(hf.resolve(f)), f);
        assertEquals("LlamaForCausalLM", Json.read(hf.resolve("config.json")).path("architectures").path(0).asText());
        HfToGguf.convert(hf, back, QuantType.F16, "synthetic tiny", 2, QUIET);
        assertSameModel(gguf, back);

        // the exported tokenizer.model encodes like Llama 2's own, by the sentencepiece library
        Path script = dir.resolve("sp.py");
        Files.writeString(script, """
                import sys, sentencepiece as spm
                sep = "\\n__ggml_vocab_test__\\n"
                cases = open(sys.argv[3], encoding="utf-8").read().split(sep)
                for model, out in ((sys.argv[1], sys.argv[4]), (sys.argv[2], sys.argv[5])):
                    sp = spm.SentencePieceProcessor(model_file=model)
                    with open(out, "w") as f:
                        for c in cases:
                            f.write(" ".join(map(str, sp.encode(c))) + "\\n")
                """);
        Path inp = SharedData.require("vocab/ggml-vocab-llama-spm.gguf.inp");
        NumpyReference.run(120, script.toString(), SharedData.require("models/llama2-tokenizer/tokenizer.model").toString(),
                hf.resolve("tokenizer.model").toString(), inp.toString(), dir.resolve("a.txt").toString(), dir.resolve("b.txt").toString());
        List<String> want = Files.readAllLines(dir.resolve("a.txt"));
        assertTrue(want.size() > 20, "cases: " + want.size());
        assertEquals(want, Files.readAllLines(dir.resolve("b.txt")));
    }

    @Test
    void bytePairVocabularyRoundTripsThroughTokenizerJsonAndKeepsItsVectors() throws Exception {
        Path vocab = SharedData.require("vocab/ggml-vocab-deepseek-coder.gguf");
        Path gguf = dir.resolve("ds.gguf"), hf = dir.resolve("hf"), back = dir.resolve("back.gguf");
        int n;
        try (GgufFile v = GgufFile.open(vocab)) {
            n = v.getStringArray("tokenizer.ggml.tokens").length;
        }
        TinyModels.write(gguf, GgmlType.BF16, true, 100000f, 9, new TinyModels.Shape(64, 1, 4, 4, 128, n), w -> {
            try (GgufFile v = GgufFile.open(vocab)) {
                v.entries().forEach((k, val) -> { if (k.startsWith("tokenizer.")) w.put(k, val); });
            }
        });
        GgufToHf.Result r = GgufToHf.export(gguf, hf, QUIET);
        assertEquals("tokenizer.json", r.tokenizerFile());
        HfToGguf.convert(hf, back, QuantType.BF16, "tiny-BF16", 1, QUIET);
        assertSameModel(gguf, back, true);
        Tokenizer tok = Tokenizer.fromGguf(back);
        int pass = 0;
        List<VocabVectorsTest.Case> cases = VocabVectorsTest.readCases(vocab);
        for (VocabVectorsTest.Case c : cases) if (Arrays.equals(c.expected(), tok.encode(c.text(), false, false))) pass++;
        assertEquals(cases.size(), pass, "deepseek-coder vectors after GGUF -> tokenizer.json -> GGUF");
    }

    @Test
    void badInputsAreOneLineErrorsAndLeaveNothingBehind() throws Exception {
        Path q = dir.resolve("q.gguf");
        TinyModels.write(q, GgmlType.Q8_0, false, 10000f, 1);
        var e = assertThrows(CodellmException.class, () -> GgufToHf.export(q, dir.resolve("out"), QUIET));
        assertTrue(e.getMessage().contains("is Q8_0") && e.getMessage().contains("F32, F16 or BF16"), e.getMessage());
        try (var files = Files.list(dir)) {
            assertEquals(List.of("q.gguf"), files.map(p -> p.getFileName().toString()).toList());
        }
        Path hf = Files.createDirectories(dir.resolve("hf"));
        Files.writeString(hf.resolve("config.json"), "{\"architectures\": [\"MistralForCausalLM\"], \"model_type\": \"mistral\"}");
        var arch = assertThrows(CodellmException.class, () -> HfToGguf.convert(hf, dir.resolve("x.gguf"), QuantType.F16, null, 1, QUIET));
        assertTrue(arch.getMessage().contains("MistralForCausalLM") && arch.getMessage().contains("not supported"), arch.getMessage());
        Files.writeString(hf.resolve("config.json"), Json.line(Map.of("architectures", List.of("LlamaForCausalLM"), "hidden_size", 64,
                "num_attention_heads", 4, "num_hidden_layers", 1, "intermediate_size", 128, "vocab_size", 100)));
        Files.writeString(hf.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"model.norm.weight\": \"model-00002-of-00002.safetensors\"}}");
        var shard = assertThrows(CodellmException.class, () -> HfToGguf.convert(hf, dir.resolve("x.gguf"), QuantType.F16, null, 1, QUIET));
        assertTrue(shard.getMessage().contains("model-00002-of-00002.safetensors is missing"), shard.getMessage());
        assertTrue(!Files.exists(dir.resolve("x.gguf")));
    }
}
