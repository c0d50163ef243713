package dev.codellm.model.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.CodellmException;
import dev.codellm.core.SharedData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reads the real GGUF files in shared data and checks them against facts from independent sources. */
class SharedFilesTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "deepseek-coder", "gpt-2", "starcoder"})
    void vocabFilesOpenWithConsistentTokenizerArrays(String name) {
        try (GgufFile f = GgufFile.open(SharedData.require("vocab/ggml-vocab-" + name + ".gguf"))) {
            assertEquals(3, f.version());
            String[] tokens = f.getStringArray("tokenizer.ggml.tokens");
            assertTrue(tokens.length > 30000, "vocab size " + tokens.length);
            if (f.has("tokenizer.ggml.token_type")) assertEquals(tokens.length, f.getIntArray("tokenizer.ggml.token_type").length);
            if (f.has("tokenizer.ggml.scores")) assertEquals(tokens.length, f.getFloatArray("tokenizer.ggml.scores").length);
            String model = f.getString("tokenizer.ggml.model");
            assertEquals(name.equals("llama-spm") ? "llama" : "gpt2", model);
            if (model.equals("gpt2")) assertTrue(f.getStringArray("tokenizer.ggml.merges").length > 10000);
            assertTrue(f.tensors().isEmpty(), "vocab-only files carry no tensors");
        }
    }

    @Test
    void llamaSpmVocabHasTheLlama2Pieces() {
        try (GgufFile f = GgufFile.open(SharedData.require("vocab/ggml-vocab-llama-spm.gguf"))) {
            String[] tokens = f.getStringArray("tokenizer.ggml.tokens");
            assertEquals(32000, tokens.length);
            assertEquals("<unk>", tokens[0]);
            assertEquals("<s>", tokens[1]);
            assertEquals("</s>", tokens[2]);
            assertEquals("<0x00>", tokens[3]);
            assertEquals(1, f.getInt("tokenizer.ggml.bos_token_id"));
            assertEquals(2, f.getInt("tokenizer.ggml.eos_token_id"));
            assertEquals(GgufValueType.UINT32, f.entry("tokenizer.ggml.bos_token_id").orElseThrow().type());
        }
    }

    @Test
    void tinyRandomLlamaMatchesItsSourceDescription() {
        try (GgufFile f = GgufFile.open(SharedData.require("models/llama-2-tiny-random/llama-2-tiny-random.gguf"))) {
            assertEquals("llama", f.architecture());
            assertEquals(8, f.getInt("llama.embedding_length"));
            assertEquals(1, f.getInt("llama.block_count"));
            assertEquals(32, f.getInt("llama.feed_forward_length"));
            assertEquals(2, f.getInt("llama.attention.head_count"));
            assertEquals(4096, f.getInt("llama.context_length"));
            assertEquals(1e-5f, f.getFloat("llama.attention.layer_norm_rms_epsilon"), 1e-9f);
            assertEquals(12, f.tensors().size());
            GgufTensor emb = f.tensor("token_embd.weight");
            assertEquals(GgmlType.F16, emb.type());
            assertArrayEquals(new long[] {8, 32000}, emb.shape());
            assertEquals(8L * 32000 * 2, emb.byteSize());
            assertEquals(9, f.tensors().stream().filter(t -> t.type() == GgmlType.F16).count());
            assertEquals(3, f.tensors().stream().filter(t -> t.type() == GgmlType.F32).count());
            float[] row = Dequant.row(emb, 5);
            assertEquals(8, row.length);
            for (float v : row) assertTrue(Float.isFinite(v));
        }
    }

    /** stories260K.bin is the llama2.c checkpoint of the same weights: header of 7 ints, then F32 tables. */
    @Test
    void stories260KTensorsEqualTheLlama2cCheckpoint() throws IOException {
        Path dir = SharedData.require("models/stories260K");
        ByteBuffer bin = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("stories260K.bin"))).order(ByteOrder.LITTLE_ENDIAN);
        int dim = bin.getInt(), hidden = bin.getInt(), layers = bin.getInt(), heads = bin.getInt(), kvHeads = bin.getInt(),
                vocab = bin.getInt(), seq = bin.getInt();
        try (GgufFile f = GgufFile.open(dir.resolve("stories260K.gguf"))) {
            assertEquals(48, f.tensors().size());
            assertEquals(19, f.metadata().size());
            assertEquals(dim, f.getInt("llama.embedding_length"));
            assertEquals(hidden, f.getInt("llama.feed_forward_length"));
            assertEquals(layers, f.getInt("llama.block_count"));
            assertEquals(heads, f.getInt("llama.attention.head_count"));
            assertEquals(kvHeads, f.getInt("llama.attention.head_count_kv"));
            assertEquals(vocab, f.getStringArray("tokenizer.ggml.tokens").length);
            assertTrue(seq > 0);
            assertArrayEquals(floats(bin, vocab * dim), Dequant.toFloat(f.tensor("token_embd.weight")));
            float[] rmsAtt = floats(bin, layers * dim);
            assertArrayEquals(java.util.Arrays.copyOfRange(rmsAtt, 0, dim), Dequant.toFloat(f.tensor("blk.0.attn_norm.weight")));
            float[] wq = floats(bin, layers * dim * dim);
            int l = layers - 1;
            assertArrayEquals(java.util.Arrays.copyOfRange(wq, l * dim * dim, (l + 1) * dim * dim),
                    Dequant.toFloat(f.tensor("blk." + l + ".attn_q.weight")));
            assertArrayEquals(new float[] {wq[l * dim * dim + 3 * dim], wq[l * dim * dim + 3 * dim + 1]},
                    java.util.Arrays.copyOf(Dequant.row(f.tensor("blk." + l + ".attn_q.weight"), 3), 2));
        }
    }

    private static float[] floats(ByteBuffer b, int n) {
        float[] a = new float[n];
        b.asFloatBuffer().get(a);
        b.position(b.position() + 4 * n);
        return a;
    }

    @Test
    void missingThingsAreNamed() {
        try (GgufFile f = GgufFile.open(SharedData.require("models/stories260K/stories260K.gguf"))) {
            var e = assertThrows(CodellmException.class, () -> f.tensor("nope.weight"));
            assertTrue(e.getMessage().contains("nope.weight") && e.getMessage().contains("stories260K.gguf"), e.getMessage());
            e = assertThrows(CodellmException.class, () -> f.getString("no.such.key"));
            assertTrue(e.getMessage().contains("no.such.key"), e.getMessage());
            e = assertThrows(CodellmException.class, () -> f.getString("llama.block_count"));
            assertTrue(e.getMessage().contains("UINT32"), e.getMessage());
            assertEquals(7, f.optInt("no.such.key", 7));
            assertTrue(f.findTensor("nope").isEmpty());
            assertEquals(List.of(), List.of());
        }
        var e = assertThrows(CodellmException.class, () -> GgufFile.open(Path.of("/nonexistent/x.gguf")));
        assertTrue(e.getMessage().contains("/nonexistent/x.gguf"));
    }
}
