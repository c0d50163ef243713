package dev.codellm.model.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.SharedData;
import dev.codellm.core.io.Json;
import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.LlamaModel;
import dev.codellm.model.llama.NumpyReference;
import dev.codellm.model.llama.Session;
import dev.codellm.model.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hugging Face checkpoint → GGUF, proven against an independent numpy model in HF's own layout
 * (hf_reference.py writes the sharded safetensors itself and runs transformers' Llama forward pass:
 * rotate-half RoPE, repeat_kv): after convert the engine's logits match at every prompt position,
 * greedy continuations are the same tokens, the prompt's ids equal python3-sentencepiece's, and a
 * Q8_0 file made in the same pass still continues the same way where the reference is decisive.
 */
class HfConvertTest {
    static final String TEXT = "def fibonacci(n):\n    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)";
    static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @TempDir Path dir;

    /** Writes the checkpoint into dir/hf and returns the reference. */
    JsonNode checkpoint(String dtype, int shards, boolean tied) throws Exception {
        return checkpoint(dtype, shards, tied, false);
    }

    /** {@code pth}: also dir/bin (pytorch_model.bin) and dir/meta (Meta's params.json + consolidated.00.pth), by torch.save. */
    JsonNode checkpoint(String dtype, int shards, boolean tied, boolean pth) throws Exception {
        return checkpoint(dtype, shards, tied, pth, null);
    }

    /** {@code ropeScaling}: config.json's rope_scaling object (JSON), or null. */
    JsonNode checkpoint(String dtype, int shards, boolean tied, boolean pth, String ropeScaling) throws Exception {
        return checkpoint(dtype, shards, tied, pth, ropeScaling, 0);
    }

    /** {@code metaShards} > 0 (with {@code pth}): also dir/metaN, Meta's N-file model-parallel layout. */
    JsonNode checkpoint(String dtype, int shards, boolean tied, boolean pth, String ropeScaling, int metaShards) throws Exception {
        Path hf = Files.createDirectories(dir.resolve("hf"));
        Files.copy(SharedData.require("models/llama2-tokenizer/tokenizer.model"), hf.resolve("tokenizer.model"));
        Files.writeString(hf.resolve("tokenizer_config.json"), """
                {"add_bos_token": true, "add_eos_token": false, "bos_token": "<s>", "eos_token": "</s>",
                 "chat_template": "{% for m in messages %}[INST] {{ m['content'] }} [/INST]{% endfor %}"}
                """);
        Path spec = dir.resolve("spec.json");
        Files.writeString(spec, String.format(java.util.Locale.ROOT,
                "{\"dim\": 128, \"layers\": 2, \"heads\": 4, \"kv_heads\": 2, \"ffn\": 256, \"vocab\": 32000, \"theta\": 10000.0,"
                        + " \"eps\": 1e-5, \"seed\": 3, \"dtype\": \"%s\", \"shards\": %d, \"tied\": %s, \"greedy\": 6, \"text\": %s, \"pth\": %s, \"meta_shards\": %d%s}",
                dtype, shards, tied, Json.line(TEXT), pth, metaShards, ropeScaling == null ? "" : ", \"rope_scaling\": " + ropeScaling));
        NumpyReference.run(300, NumpyReference.copyScript(dir, "convert/hf_reference.py").toString(), spec.toString(), hf.toString());
        return Json.read(dir.resolve("reference.json"));
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    /** Max |ours - reference| over every prompt position's logits, relative to the largest reference logit. */
    static double logitError(Path gguf, JsonNode ref) {
        int[] prompt = ints(ref.get("prompt"));
        try (GgufFile f = GgufFile.open(gguf); LlamaModel m = LlamaModel.load(f, 1)) {
            float[][] ours = m.forwardAll(m.newSession(prompt.length, KvType.F32), prompt);
            double err = 0, scale = 0;
            for (int t = 0; t < prompt.length; t++) {
                JsonNode row = ref.get("logits").get(t);
                for (int i = 0; i < ours[t].length; i++) {
                    err = Math.max(err, Math.abs(ours[t][i] - row.get(i).asDouble()));
                    scale = Math.max(scale, Math.abs(row.get(i).asDouble()));
                }
            }
            return err / scale;
        }
    }

    static int[] greedy(Path gguf, int[] prompt, int steps) {
        try (GgufFile f = GgufFile.open(gguf); LlamaModel m = LlamaModel.load(f, 1)) {
            Session s = m.newSession(prompt.length + steps, KvType.F32);
            float[] logits = m.forward(s, prompt);
            int[] out = new int[steps];
            for (int i = 0; i < steps; i++) {
                int best = 0;
                for (int j = 1; j < logits.length; j++) if (logits[j] > logits[best]) best = j;
                out[i] = best;
                logits = m.forward(s, new int[] {best});
            }
            return out;
        }
    }

    /**
     * llama3 rope scaling (Llama 3.1's): the converter writes llama.cpp's rope_freqs tensor and the
     * engine divides each pair's frequency by it; the original context of 32 positions puts the
     * prompt's pairs in all three bands (kept, blended, slowed 8x). Without the divisors the
     * logits are off by far more than the tolerance (asserted on the same checkpoint).
     */
    @Test
    void llama3RopeScalingMatchesTransformers() throws Exception {
        JsonNode ref = checkpoint("F32", 1, false, false,
                "{\"rope_type\": \"llama3\", \"factor\": 8.0, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 32}");
        Path out = dir.resolve("m.gguf");
        HfToGguf.convert(dir.resolve("hf"), out, QuantType.F32, null, 2, QUIET);
        try (GgufFile f = GgufFile.open(out)) {
            float[] ff = dev.codellm.model.gguf.Dequant.toFloat(f.tensor("rope_freqs.weight"));
            assertEquals(16, ff.length);
            assertEquals(1f, ff[0]);                       // wavelength 6.3 < 32/4: kept
            assertTrue(ff[1] > 1f && ff[2] < 8f, "blended"); // 11.2 and 19.9: between 8 and 32
            assertEquals(8f, ff[15]);                      // slower than 32 positions: slowed by the factor
            assertTrue(!f.has("llama.rope.scaling.type"), "llama.cpp writes no scaling keys for llama3");
        }
        double err = logitError(out, ref);
        assertTrue(err <= 1e-4, "relative logit error " + err);
        assertArrayEquals(ints(ref.get("greedy")), greedy(out, ints(ref.get("prompt")), 6));
        // the same weights without the divisors: the test sees the difference
        Path plain = dir.resolve("plain.gguf");
        try (GgufFile f = GgufFile.open(out)) {
            dev.codellm.model.gguf.GgufWriter w = new dev.codellm.model.gguf.GgufWriter().putAll(f);
            for (var t : f.tensors())
                if (!t.name().equals("rope_freqs.weight")) w.addTensor(t.name(), t.type(), t.shape(), t.data());
            w.write(plain);
        }
        assertTrue(logitError(plain, ref) > 1e-2, "without rope_freqs: " + logitError(plain, ref));
        // export cannot restore config.json's llama3 parameters: refused, not written unscaled
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.codellm.core.CodellmException.class,
                () -> GgufToHf.export(out, dir.resolve("back"), QUIET));
        assertTrue(e.getMessage().contains("llama3"), e.getMessage());
    }

    @Test
    void dynamicNtkIsRefusedInOneLine() throws Exception {
        Path hf = Files.createDirectories(dir.resolve("dyn"));
        Files.writeString(hf.resolve("config.json"), """
                {"architectures": ["LlamaForCausalLM"], "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 1,
                 "num_attention_heads": 2, "vocab_size": 100, "rope_scaling": {"type": "dynamic", "factor": 2.0}}
                """);
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.codellm.core.CodellmException.class,
                () -> HfToGguf.convert(hf, dir.resolve("d.gguf"), QuantType.F32, null, 1, QUIET));
        assertTrue(e.getMessage().contains("dynamic NTK") && !e.getMessage().contains("\n"), e.getMessage());
        assertTrue(!Files.exists(dir.resolve("d.gguf")));
    }

    @Test
    void shardedF32CheckpointConvertsToTheSameModel() throws Exception {
        JsonNode ref = checkpoint("F32", 3, false);
        Path out = dir.resolve("m.gguf");
        GgufQuantizer.Result r = HfToGguf.convert(dir.resolve("hf"), out, QuantType.F32, null, 2, QUIET);
        assertEquals(2 + 2 * 9 + 1, r.types().values().stream().mapToInt(Integer::intValue).sum(), "tensors: " + r.types());
        double err = logitError(out, ref);
        assertTrue(err <= 1e-4, "relative logit error " + err);
        int[] prompt = ints(ref.get("prompt"));
        assertArrayEquals(ints(ref.get("greedy")), greedy(out, prompt, 6));
        Tokenizer tok = Tokenizer.fromGguf(out);
        assertArrayEquals(prompt, tok.encode(TEXT, true, false), "ids equal python3-sentencepiece's");
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals("llama", f.getString("general.architecture"));
            assertEquals("hf", f.getString("general.name"));
            assertEquals(2, f.getInt("llama.attention.head_count_kv"));
            assertEquals(1, f.getInt("tokenizer.ggml.bos_token_id"));
            assertEquals(2, f.getInt("tokenizer.ggml.eos_token_id"));
            assertTrue(f.getBoolean("tokenizer.ggml.add_bos_token"));
            assertTrue(f.getString("tokenizer.chat_template").contains("[INST]"));
            assertEquals(GgmlType.F32, f.tensor("blk.0.attn_q.weight").type());
        }
    }

    @Test
    void pytorchPicklesOfHfAndMetaLayoutsConvertToTheSameModel() throws Exception {
        JsonNode ref = checkpoint("F16", 1, false, true);
        Path fromBin = dir.resolve("bin.gguf"), fromMeta = dir.resolve("meta.gguf"), fromSafetensors = dir.resolve("st.gguf");
        HfToGguf.convert(dir.resolve("hf"), fromSafetensors, QuantType.F16, "m", 1, QUIET);
        HfToGguf.convert(dir.resolve("bin"), fromBin, QuantType.F16, "m", 1, QUIET);
        HfToGguf.convert(dir.resolve("meta"), fromMeta, QuantType.F16, "m", 1, QUIET);
        double err = logitError(fromMeta, ref);
        assertTrue(err <= 1e-3, "Meta layout: relative logit error " + err);
        try (GgufFile a = GgufFile.open(fromSafetensors); GgufFile b = GgufFile.open(fromBin); GgufFile c = GgufFile.open(fromMeta)) {
            for (var t : a.tensors()) {
                byte[] want = t.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                assertArrayEquals(want, b.tensor(t.name()).data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), "pytorch_model.bin " + t.name());
                assertArrayEquals(want, c.tensor(t.name()).data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), "consolidated.00.pth " + t.name());
            }
        }
    }

    @Test
    void aPickleThatWouldRunCodeIsRefusedAndNothingRuns() throws Exception {
        Path bad = Files.createDirectories(dir.resolve("bad"));
        Path marker = dir.resolve("pwned");
        Files.writeString(bad.resolve("config.json"), "{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 64, \"num_attention_heads\": 4,"
                + " \"num_hidden_layers\": 1, \"intermediate_size\": 128, \"vocab_size\": 100}");
        Path script = dir.resolve("evil.py");
        Files.writeString(script, """
                import os, pickle, sys, zipfile
                class Evil:
                    def __reduce__(self):
                        return (os.system, ("touch " + sys.argv[2],))
                with zipfile.ZipFile(sys.argv[1], "w") as z:
                    z.writestr("archive/data.pkl", pickle.dumps({"model.norm.weight": Evil()}, protocol=2))
                """);
        NumpyReference.run(60, script.toString(), bad.resolve("pytorch_model.bin").toString(), marker.toString());
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.codellm.core.CodellmException.class,
                () -> HfToGguf.convert(bad, dir.resolve("x.gguf"), QuantType.F16, null, 1, QUIET));
        assertTrue(e.getMessage().contains("posix.system") && e.getMessage().contains("refusing"), e.getMessage());
        assertTrue(!Files.exists(marker) && !Files.exists(dir.resolve("x.gguf")));
    }

    @Test
    void bf16CheckpointToF16AndQ8_0InOnePass() throws Exception {
        JsonNode ref = checkpoint("BF16", 1, true);
        Path f16 = dir.resolve("f16.gguf"), q8 = dir.resolve("q8.gguf");
        HfToGguf.convert(dir.resolve("hf"), f16, QuantType.F16, "tiny", 2, QUIET);
        double err = logitError(f16, ref);
        assertTrue(err <= 2e-3, "F16 relative logit error " + err);  // BF16 values rounded to F16
        HfToGguf.convert(dir.resolve("hf"), q8, QuantType.Q8_0, "tiny", 2, QUIET);
        try (GgufFile f = GgufFile.open(q8)) {
            assertEquals(GgmlType.Q8_0, f.tensor("token_embd.weight").type(), "tied embedding: the output rule, Q8_0 stays Q8_0");
            assertEquals(GgmlType.F32, f.tensor("blk.1.ffn_norm.weight").type());
            assertTrue(f.findTensor("output.weight").isEmpty());
        }
        int[] prompt = ints(ref.get("prompt"));
        int[] want = ints(ref.get("greedy")), got = greedy(q8, prompt, want.length);
        for (int i = 0; i < want.length && ref.get("margins").get(i).asDouble() > 0.05 * Math.abs(ref.get("logits").get(0).get(0).asDouble() + 1); i++)
            assertEquals(want[i], got[i], "Q8_0 greedy step " + i);
        assertEquals(want[0], got[0], "Q8_0 first greedy token");
    }
}
