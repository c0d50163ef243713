package dev.codellm.model.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The list of bad Hugging Face checkpoints (a tensor of the wrong shape, an unsupported
 * dtype, a tensor missing, tensors of another architecture or unmerged adapters, no tokenizer, a
 * tokenizer that cannot be read): each is one line naming the file or tensor and the problem, and
 * leaves neither the output nor a temporary file behind.
 */
class HfConvertBadInputTest {
    @TempDir Path dir;

    /** A one-layer Llama's tensors (HF names → dtype and shape); the data is zeros. */
    static Map<String, Object[]> tensors() {
        Map<String, Object[]> t = new LinkedHashMap<>();
        t.put("model.embed_tokens.weight", new Object[] {"F32", new long[] {100, 8}});
        String p = "model.layers.0.";
        t.put(p + "input_layernorm.weight", new Object[] {"F32", new long[] {8}});
        for (String r : List.of("q_proj", "k_proj", "v_proj", "o_proj")) t.put(p + "self_attn." + r + ".weight", new Object[] {"F32", new long[] {8, 8}});
        t.put(p + "post_attention_layernorm.weight", new Object[] {"F32", new long[] {8}});
        t.put(p + "mlp.gate_proj.weight", new Object[] {"F32", new long[] {16, 8}});
        t.put(p + "mlp.up_proj.weight", new Object[] {"F32", new long[] {16, 8}});
        t.put(p + "mlp.down_proj.weight", new Object[] {"F32", new long[] {8, 16}});
        t.put("model.norm.weight", new Object[] {"F32", new long[] {8}});
        t.put("lm_head.weight", new Object[] {"F32", new long[] {100, 8}});
        return t;
    }

    /** A safetensors file written here (8-byte header length, JSON header, zero bytes), not by the reader's own writer. */
    static void writeSafetensors(Path file, Map<String, Object[]> tensors) throws Exception {
        Map<String, Object> header = new LinkedHashMap<>();
        long off = 0;
        for (var e : tensors.entrySet()) {
            String dtype = (String) e.getValue()[0];
            long n = dtype.equals("F32") ? 4 : dtype.equals("I8") ? 1 : 2;
            for (long d : (long[]) e.getValue()[1]) n *= d;
            header.put(e.getKey(), Map.of("dtype", dtype, "shape", e.getValue()[1], "data_offsets", new long[] {off, off + n}));
            off += n;
        }
        byte[] h = Json.line(header).getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate((int) (8 + h.length + off)).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Files.write(file, b.array());
    }

    Path checkpoint(String name, Consumer<Map<String, Object[]>> change) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        Files.writeString(d.resolve("config.json"), """
                {"architectures": ["LlamaForCausalLM"], "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1,
                 "num_attention_heads": 2, "vocab_size": 100, "tie_word_embeddings": false}
                """);
        Map<String, Object[]> t = tensors();
        change.accept(t);
        writeSafetensors(d.resolve("model.safetensors"), t);
        return d;
    }

    void assertOneLineError(Path hf, String... parts) throws Exception {
        Path out = dir.resolve(hf.getFileName() + ".gguf");
        var e = assertThrows(CodellmException.class, () -> HfToGguf.convert(hf, out, QuantType.F16, null, 1, HfConvertTest.QUIET), hf.toString());
        for (String p : parts) assertTrue(e.getMessage().contains(p), hf.getFileName() + ": " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().endsWith(".gguf") || p.getFileName().toString().endsWith(".tmp")).toList());
        }
    }

    @Test
    void badTensorsAreOneLineErrors() throws Exception {
        assertOneLineError(checkpoint("shape", t -> t.put("model.layers.0.mlp.gate_proj.weight", new Object[] {"F32", new long[] {16, 9}})),
                "model.layers.0.mlp.gate_proj.weight has shape [16, 9]", "implies [16, 8]");
        assertOneLineError(checkpoint("dtype", t -> t.put("model.layers.0.mlp.gate_proj.weight", new Object[] {"I8", new long[] {16, 8}})),
                "model.safetensors", "model.layers.0.mlp.gate_proj.weight has dtype 'I8'");
        assertOneLineError(checkpoint("missing", t -> t.remove("model.layers.0.mlp.up_proj.weight")),
                "model.layers.0.mlp.up_proj.weight is missing");
        assertOneLineError(checkpoint("adapter", t -> t.put("model.layers.0.self_attn.q_proj.lora_A.weight", new Object[] {"F32", new long[] {4, 8}})),
                "tensors a Llama checkpoint does not have: model.layers.0.self_attn.q_proj.lora_A.weight");
    }

    @Test
    void missingOrUnreadableTokenizersAreOneLineErrors() throws Exception {
        assertOneLineError(checkpoint("no-tokenizer", t -> {}), "no tokenizer.model (SentencePiece) or tokenizer.json");
        Path garbage = checkpoint("garbage-spm", t -> {});
        Files.write(garbage.resolve("tokenizer.model"), "not a protobuf \u00ff\u00fe at all".getBytes(StandardCharsets.ISO_8859_1));
        assertOneLineError(garbage, "garbage-spm/tokenizer.model: not a SentencePiece model");
        Path wordPiece = checkpoint("wordpiece", t -> {});
        Files.writeString(wordPiece.resolve("tokenizer.json"), "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0}}}");
        assertOneLineError(wordPiece, "wordpiece/tokenizer.json", "'WordPiece' is not supported");
    }
    /** The first lines of Llama 3's original {@code tokenizer.model} (tiktoken: base64 of the token's bytes, then its rank). */
    static final String TIKTOKEN = "IQ== 0\nIg== 1\nIw== 2\nJA== 3\nIHRoZQ== 4\n";

    @Test
    void llama3sMetaLayoutIsRefusedNamingTheTokenizerAndWhatWorks() throws Exception {
        Path meta = Files.createDirectories(dir.resolve("Meta-Llama-3-8B"));
        // params.json as Meta ships it for Llama 3 8B; the .pth is never opened: the tokenizer is refused first
        Files.writeString(meta.resolve("params.json"), """
                {"dim": 4096, "n_layers": 32, "n_heads": 32, "n_kv_heads": 8, "vocab_size": 128256, "multiple_of": 1024,
                 "ffn_dim_multiplier": 1.3, "norm_eps": 1e-05, "rope_theta": 500000.0}
                """);
        Files.write(meta.resolve("consolidated.00.pth"), new byte[] {1, 2, 3});
        Files.writeString(meta.resolve("tokenizer.model"), TIKTOKEN);
        assertOneLineError(meta, "Meta-Llama-3-8B/tokenizer.model: a tiktoken BPE vocabulary (Llama 3's original Meta layout)",
                "not supported", "Hugging Face layout", "tokenizer.json", "Llama 2 / Code Llama Meta checkpoint");
        // the same vocabulary in a Hugging Face directory is the same one-line error, not a protobuf parse failure
        Path hf = checkpoint("hf-tiktoken", t -> {});
        Files.writeString(hf.resolve("tokenizer.model"), TIKTOKEN);
        assertOneLineError(hf, "hf-tiktoken/tokenizer.model: a tiktoken BPE vocabulary");
    }
}
