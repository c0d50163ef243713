package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.llama.LlamaConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** synth-model and bench end to end through the CLI, on the tiny shape. */
class EngineCommandsTest {
    @TempDir
    Path dir;


    @Test
    void synthModelWritesARealShapeWithCodeLlamaVocab() {
        Path f = dir.resolve("tiny.gguf");
        CliRun r = CliRun.of("synth-model", "--shape", "tiny", "--type", "Q8_0", "--layers", "1", f.toString());
        assertEquals(0, r.code(), r.err());
        try (GgufFile g = GgufFile.open(f)) {
            LlamaConfig c = LlamaConfig.fromGguf(g);
            assertEquals(256, c.dim());
            assertEquals(1, c.layers());
            assertEquals(2, c.kvHeads());
            assertEquals(1e6f, c.ropeTheta());
            assertEquals(GgmlType.Q8_0, g.tensor("blk.0.ffn_down.weight").type());
            String[] tokens = g.getStringArray("tokenizer.ggml.tokens");
            assertEquals(32016, tokens.length);
            assertEquals("▁<PRE>", tokens[g.getInt("tokenizer.ggml.prefix_token_id")]);
            assertEquals("▁<EOT>", tokens[32010]);
        }
    }

    @Test
    void benchPrintsJsonWithTheRequiredFields() throws Exception {
        Path f = dir.resolve("tiny.gguf");
        assertEquals(0, CliRun.of("synth-model", "--shape", "tiny", "--type", "Q4_0", "--layers", "1", f.toString()).code());
        CliRun r = CliRun.of("bench", "-m", f.toString(), "-p", "8", "-n", "4", "--threads", "1", "--json");
        assertEquals(0, r.code(), r.err());
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        for (String key : new String[] {"pp_tokens_per_s", "tg_tokens_per_s", "weight_bytes_per_token", "bandwidth_gb_per_s"}) {
            assertTrue(json.get(key).isNumber() && json.get(key).asDouble() > 0, key + " in " + r.out());
        }
        // weight bytes per token: 7 matrices of one Q4_0 layer + the 32016-row classifier
        long q4Row256 = 256 / 32 * 18;
        long expected = q4Row256 * (256 * 2 + 128 * 2 + 512 * 2) + (512 / 32 * 18) * 256 + q4Row256 * 32016;
        assertEquals(expected, json.get("weight_bytes_per_token").asLong(), r.out());
    }

    @Test
    void benchReportsTheThreadDispatchesOfOneToken() throws Exception {
        Path f = dir.resolve("tiny2.gguf");
        assertEquals(0, CliRun.of("synth-model", "--shape", "tiny", "--type", "Q4_0", "--layers", "2", f.toString()).code());
        CliRun r = CliRun.of("bench", "-m", f.toString(), "-p", "4", "-n", "4", "--threads", "2", "--json");
        assertEquals(0, r.code(), r.err());
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        // per layer: Q/K/V in one loop, attention, output projection, gate/up with SwiGLU, down; then the classifier
        assertEquals(5 * 2 + 1, json.get("dispatches_per_token").asDouble(), r.out());
        assertTrue(json.get("dispatch_ns").asDouble() > 0, r.out());
    }

    @Test
    void benchProfileSplitsATokenByPhase() throws Exception {
        Path f = dir.resolve("tiny-p.gguf");
        assertEquals(0, CliRun.of("synth-model", "--shape", "tiny", "--type", "Q8_0", "--layers", "2", f.toString()).code());
        CliRun r = CliRun.of("bench", "-m", f.toString(), "-p", "4", "-n", "3", "--threads", "2", "--profile", "--json");
        assertEquals(0, r.code(), r.err());
        var prof = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out()).get("profile_ms_per_token");
        assertTrue(prof != null && prof.isObject(), r.out());
        assertEquals(dev.codellm.model.llama.StepProfile.Phase.values().length, prof.size(), r.out());
        // the phases that run a matmul or the attention took time; a phase's time is never negative
        for (String phase : new String[] {"qkv", "attention", "wo", "gate_up", "down", "logits"}) {
            assertTrue(prof.get(phase).asDouble() > 0, phase + " in " + r.out());
        }
        prof.forEach(v -> assertTrue(v.asDouble() >= 0, r.out()));
        // the pp prompt has a profile of its own (ms for the whole prompt), with the same phases
        var pp = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out()).get("profile_ms_per_prompt");
        assertTrue(pp != null && pp.isObject(), r.out());
        assertEquals(prof.size(), pp.size(), r.out());
        for (String phase : new String[] {"qkv", "attention", "wo", "gate_up", "down", "logits"}) {
            assertTrue(pp.get(phase).asDouble() > 0, phase + " in " + r.out());
        }
        pp.forEach(v -> assertTrue(v.asDouble() >= 0, r.out()));
        CliRun table = CliRun.of("bench", "-m", f.toString(), "-p", "4", "-n", "3", "--threads", "1", "--profile");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("per pp4 prompt (1 passes"), table.out());
        assertTrue(table.out().contains("per generated token (3 passes") && table.out().contains("| classifier matmul (vocab rows) |"), table.out());
        assertTrue(!CliRun.of("bench", "-m", f.toString(), "-p", "4", "-n", "3", "--json").out().contains("profile"), "no profile unless asked");
    }

    @Test
    void benchAtDepthWithAQ8CacheSaysSo() throws Exception {
        Path f = dir.resolve("tiny-d.gguf");
        assertEquals(0, CliRun.of("synth-model", "--shape", "tiny", "--type", "Q4_0", "--layers", "1", f.toString()).code());
        CliRun r = CliRun.of("bench", "-m", f.toString(), "--depth", "40", "-p", "0", "-n", "2", "--threads", "1", "--kv-type", "q8_0", "--json");
        assertEquals(0, r.code(), r.err());
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertEquals("q8_0", json.get("kv_type").asText(), r.out());
        assertEquals(40, json.get("depth").asInt(), r.out());
        assertTrue(json.get("depth_tokens_per_s").asDouble() > 0 && json.get("tg_tokens_per_s").asDouble() > 0, r.out());
        assertTrue(json.get("pp_tokens_per_s").isNull(), "-p 0: no pp test " + r.out());
        // 1 layer × K and V × 43 positions (40 + 0 + 2 + 1) × 128 kv elements in 34-byte blocks of 32
        assertEquals(2L * 43 * (128 / 32 * 34), json.get("kv_cache_bytes").asLong(), r.out());
        CliRun table = CliRun.of("bench", "-m", f.toString(), "--depth", "40", "-p", "4", "-n", "2", "--threads", "1", "--kv-type", "q8_0");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("KV cache type: q8_0; context filled to depth 40") && table.out().contains("| tg2 @ d40 |"), table.out());
        CliRun noPrompt = CliRun.of("bench", "-m", f.toString(), "--depth", "40", "-p", "0", "-n", "2", "--threads", "1");
        assertEquals(0, noPrompt.code(), noPrompt.err());
        assertTrue(noPrompt.out().contains("| tg2 @ d40 |") && !noPrompt.out().contains("pp0") && !noPrompt.out().contains("NaN"),
                "-p 0: no pp row " + noPrompt.out());
    }

    @Test
    void benchKernelsPicksTheVariantAndSaysWhich() throws Exception {
        Path f = dir.resolve("tiny-k.gguf");
        assertEquals(0, CliRun.of("synth-model", "--shape", "tiny", "--type", "Q8_0", "--layers", "1", f.toString()).code());
        for (String isa : new String[] {"java", "avx2", "avx512", "amx"}) {
            boolean runs = isa.equals("java") || dev.codellm.model.kernels.NativeKernels.runnableVariants().contains(isa);
            CliRun r = CliRun.of("bench", "-m", f.toString(), "-p", "4", "-n", "2", "--threads", "1", "--kernels", isa, "--json");
            if (!runs) {
                assertEquals(1, r.code(), r.out());
                assertTrue(r.err().contains("cannot run here"), r.err());
                continue;
            }
            assertEquals(0, r.code(), r.err());
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
            assertEquals(isa, json.get("isa").asText(), r.out());
        }
        CliRun bad = CliRun.of("bench", "-m", f.toString(), "--kernels", "sse2");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("unknown kernels 'sse2'"), bad.err());
    }

    @Test
    void badInputGivesOneLineErrors() throws Exception {
        CliRun missing = CliRun.of("bench", "-m", dir.resolve("nope.gguf").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("nope.gguf"), missing.err());
        CliRun shape = CliRun.of("synth-model", "--shape", "llama-99b", dir.resolve("x.gguf").toString());
        assertEquals(1, shape.code());
        assertTrue(shape.err().contains("unknown model shape"), shape.err());
        Path vocabOnly = Path.of(dev.codellm.core.SharedData.require("vocab/ggml-vocab-llama-spm.gguf").toString());
        CliRun vocab = CliRun.of("bench", "-m", vocabOnly.toString());
        assertEquals(1, vocab.code());
        assertTrue(vocab.err().contains("vocab-only"), vocab.err());
        assertTrue(Files.exists(vocabOnly));
    }
}
