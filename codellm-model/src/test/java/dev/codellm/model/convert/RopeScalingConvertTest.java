package dev.codellm.model.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.core.CodellmException;
import dev.codellm.model.gguf.GgufFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * config.json's rope_scaling through convert: linear is written as llama.cpp's LlamaModel writes it
 * (rope.scaling.type "linear" and the factor); yarn with its original context length too (llama.cpp's
 * LlamaModel writes no yarn keys for a LlamaForCausalLM, so its file would run unscaled); the older
 * "type" key and the newer "rope_type" both name the scaling. llama3 and dynamic NTK: HfConvertTest.
 * yarn's other keys have no GGUF key and llama.cpp runs transformers' defaults for them
 * (docs/convert.md, Limits): written out at their defaults they convert, any other value is one
 * error naming config.json and the key, and nothing is written.
 */
class RopeScalingConvertTest {
    @TempDir Path dir;

    GgufFile convert(String name, String ropeScaling) throws Exception {
        Path hf = checkpoint(name, ropeScaling);
        Path out = dir.resolve(name + ".gguf");
        HfToGguf.convert(hf, out, QuantType.F32, null, 1, HfConvertTest.QUIET);
        return GgufFile.open(out);
    }

    Path checkpoint(String name, String ropeScaling) throws Exception {
        Path hf = Files.createDirectories(dir.resolve(name));
        Files.writeString(hf.resolve("config.json"), """
                {"architectures": ["LlamaForCausalLM"], "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1,
                 "num_attention_heads": 2, "vocab_size": 32000, "max_position_embeddings": 16384, "rope_scaling": %s}
                """.formatted(ropeScaling));
        var t = HfConvertBadInputTest.tensors();
        t.put("model.embed_tokens.weight", new Object[] {"F32", new long[] {32000, 8}});
        t.put("lm_head.weight", new Object[] {"F32", new long[] {32000, 8}});
        HfConvertBadInputTest.writeSafetensors(hf.resolve("model.safetensors"), t);
        Files.copy(dev.codellm.core.SharedData.require("models/llama2-tokenizer/tokenizer.model"), hf.resolve("tokenizer.model"));
        return hf;
    }

    @Test
    void linearAndYarnBecomeLlamaCppsScalingKeys() throws Exception {
        try (GgufFile f = convert("linear", "{\"type\": \"linear\", \"factor\": 4.0}")) {
            assertEquals("linear", f.getString("llama.rope.scaling.type"));
            assertEquals(4f, f.getFloat("llama.rope.scaling.factor"));
            assertTrue(!f.has("llama.rope.scaling.original_context_length"));
            assertEquals(16384, f.getInt("llama.context_length"));
        }
        try (GgufFile f = convert("yarn", "{\"rope_type\": \"yarn\", \"factor\": 4.0, \"original_max_position_embeddings\": 4096}")) {
            assertEquals("yarn", f.getString("llama.rope.scaling.type"));
            assertEquals(4f, f.getFloat("llama.rope.scaling.factor"));
            assertEquals(4096, f.getInt("llama.rope.scaling.original_context_length"));
        }
        try (GgufFile f = convert("none", "null")) {
            assertTrue(!f.has("llama.rope.scaling.type"));
        }
    }

    @Test
    void yarnAtTransformersDefaultsConverts() throws Exception {
        // attention_factor 0.1 ln(4) + 1, as transformers computes it when absent; nulls are absent
        String yarn = "{\"rope_type\": \"yarn\", \"factor\": 4.0, \"original_max_position_embeddings\": 4096, \"beta_fast\": 32,"
                + " \"beta_slow\": 1.0, \"mscale\": 1, \"mscale_all_dim\": null, \"attention_factor\": " + (0.1 * Math.log(4) + 1) + "}";
        try (GgufFile f = convert("yarn-defaults", yarn)) {
            assertEquals("yarn", f.getString("llama.rope.scaling.type"));
            assertEquals(4f, f.getFloat("llama.rope.scaling.factor"));
        }
    }

    @ParameterizedTest
    @CsvSource({"beta_fast, 16", "beta_slow, 2", "mscale, 0.707", "mscale_all_dim, 1", "attention_factor, 1.0", "beta_fast, '\"32\"'"})
    void yarnWithAnotherValueIsRefusedNamingTheKey(String key, String value) throws Exception {
        Path hf = checkpoint("yarn-" + key, "{\"rope_type\": \"yarn\", \"factor\": 4.0, \"original_max_position_embeddings\": 4096, \""
                + key + "\": " + value + "}");
        Path out = dir.resolve("out.gguf");
        var e = assertThrows(CodellmException.class, () -> HfToGguf.convert(hf, out, QuantType.F32, null, 1, HfConvertTest.QUIET));
        String m = e.getMessage();
        assertTrue(m.startsWith(hf.resolve("config.json").toString() + ": rope_scaling yarn '" + key + "' " + value + " is not supported"), m);
        assertTrue(m.contains("beta_fast 32, beta_slow 1, mscale 1, no mscale_all_dim, attention_factor 0.1 ln(factor) + 1 = 1.1386294"), m);
        assertEquals(1, m.lines().count());
        try (var left = Files.list(dir)) {
            assertEquals(List.of(hf), left.toList(), "nothing but the checkpoint may be left");
        }
    }
}
