package dev.codellm.model.inspect;

import dev.codellm.model.gguf.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.SharedData;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GgufSummaryTest {

    static Map<String, Integer> ids(GgufSummary s) {
        return s.specialTokens().stream().collect(Collectors.toMap(GgufSummary.SpecialToken::role, GgufSummary.SpecialToken::id));
    }

    @Test
    void tinyRandomLlama() {
        try (GgufFile f = GgufFile.open(SharedData.require("models/llama-2-tiny-random/llama-2-tiny-random.gguf"))) {
            GgufSummary s = GgufSummary.of(f);
            // SOURCE.md: dim 8, ffn 32, 1 layer, vocab 32000, untied output: 2 embeddings + 4 attn + 3 ffn + 3 norms
            assertEquals(2L * 32000 * 8 + 4 * 8 * 8 + 3 * 8 * 32 + 3 * 8, s.parameters());
            assertEquals(1, s.layers());
            assertEquals(2, s.heads());
            assertEquals(2, s.kvHeads());
            assertEquals(4, s.headDim());
            assertEquals(4096, s.contextLength());
            assertEquals(32000, s.vocabSize());
            assertEquals("MOSTLY_F16", s.fileTypeName());
            assertEquals(Map.of("F16", 9, "F32", 3), s.tensorTypes());
            assertEquals(Map.of("BOS", 1, "EOS", 2, "UNK", 0), ids(s));
            assertFalse(s.supportsInfill());
        }
    }

    @Test
    void stories260KParameterCountMatchesTheLlama2cHeader() throws Exception {
        Path dir = SharedData.require("models/stories260K");
        ByteBuffer h = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("stories260K.bin")), 0, 28).order(ByteOrder.LITTLE_ENDIAN);
        long dim = h.getInt(), hidden = h.getInt(), layers = h.getInt(), heads = h.getInt(), kvHeads = h.getInt(), vocab = h.getInt();
        long kvDim = dim * kvHeads / heads;
        long perLayer = 2 * dim * dim + 2 * dim * kvDim + 3 * dim * hidden + 2 * dim;
        try (GgufFile f = GgufFile.open(dir.resolve("stories260K.gguf"))) {
            GgufSummary s = GgufSummary.of(f);
            assertEquals(2 * vocab * dim + layers * perLayer + dim, s.parameters()); // the GGUF stores output.weight separately
            assertEquals((int) kvHeads, s.kvHeads());
            assertEquals(1e-5f, s.rmsEpsilon());
            assertNull(s.ropeFreqBase());
        }
    }

    @Test
    void fimTokensFoundByTextInCoderVocabularies() {
        try (GgufFile f = GgufFile.open(SharedData.require("vocab/ggml-vocab-deepseek-coder.gguf"))) {
            GgufSummary s = GgufSummary.of(f);
            String[] tokens = f.getStringArray("tokenizer.ggml.tokens");
            Map<String, Integer> ids = ids(s);
            assertEquals("<｜fim▁begin｜>", tokens[ids.get("FIM_PRE")]);
            assertEquals("<｜fim▁hole｜>", tokens[ids.get("FIM_SUF")]);
            assertEquals("<｜fim▁end｜>", tokens[ids.get("FIM_MID")]);
            assertTrue(s.supportsInfill());
            assertEquals(100000f, s.ropeFreqBase());
        }
        try (GgufFile f = GgufFile.open(SharedData.require("vocab/ggml-vocab-starcoder.gguf"))) {
            Map<String, Integer> ids = ids(GgufSummary.of(f));
            // <|endoftext|> is also StarCoder's EOT, as llama.cpp finds it by text (as the tokenizer does)
            assertEquals(Map.of("BOS", 0, "EOS", 0, "UNK", 0, "EOT", 0, "FIM_PRE", 1, "FIM_MID", 2, "FIM_SUF", 3, "FIM_PAD", 4), ids);
        }
    }

    /** A Code Llama-like vocabulary: 32016 tokens with ▁<PRE> … at 32007.. and, in one variant, the metadata ids. */
    @Test
    void codeLlamaFimTokensFromMetadataOrTokenText() {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 32016; i++) tokens.add("t" + i);
        tokens.set(32007, "▁<PRE>");
        tokens.set(32008, "▁<SUF>");
        tokens.set(32009, "▁<MID>");
        tokens.set(32010, "▁<EOT>");
        GgufWriter w = new GgufWriter().putString("general.architecture", "llama").putStrings("tokenizer.ggml.tokens", tokens)
                .putFloat32("llama.rope.freq_base", 1e6f);
        try (GgufFile f = GgufFile.read(MemorySegment.ofArray(w.toBytes()), Path.of("codellama.gguf"))) {
            GgufSummary s = GgufSummary.of(f);
            assertEquals(Map.of("FIM_PRE", 32007, "FIM_SUF", 32008, "FIM_MID", 32009, "EOT", 32010), ids(s));
            assertTrue(s.specialTokens().stream().allMatch(t -> t.source().equals("token text")));
            assertEquals(1e6f, s.ropeFreqBase());
        }
        w.putUInt32("tokenizer.ggml.prefix_token_id", 32007).putUInt32("tokenizer.ggml.suffix_token_id", 32008)
                .putUInt32("tokenizer.ggml.middle_token_id", 32009).putUInt32("tokenizer.ggml.eot_token_id", 32010);
        try (GgufFile f = GgufFile.read(MemorySegment.ofArray(w.toBytes()), Path.of("codellama.gguf"))) {
            GgufSummary s = GgufSummary.of(f);
            assertEquals(Map.of("FIM_PRE", 32007, "FIM_SUF", 32008, "FIM_MID", 32009, "EOT", 32010), ids(s));
            assertEquals("tokenizer.ggml.prefix_token_id", s.specialTokens().stream().filter(t -> t.role().equals("FIM_PRE")).findFirst().orElseThrow().source());
            assertTrue(s.supportsInfill());
            String text = GgufReport.text(f, 4, true);
            assertTrue(text.contains("token FIM_PRE") && text.contains("32007 \"▁<PRE>\""), text);
            assertTrue(text.contains("… (32016 items)"), text);
        }
    }

    @Test
    void jsonReportIsParseableAndComplete() throws Exception {
        try (GgufFile f = GgufFile.open(SharedData.require("models/stories260K/stories260K.gguf"))) {
            JsonNode j = new ObjectMapper().readTree(GgufReport.json(f, 5));
            assertEquals(5, j.at("/summary/layers").asInt());
            assertEquals(48, j.get("tensors").size());
            assertEquals("token_embd.weight", j.at("/tensors/0/name").asText());
            assertEquals(64, j.at("/tensors/0/shape/0").asInt());
            assertEquals(512, j.at("/metadata/tokenizer.ggml.tokens/length").asInt());
            assertEquals(5, j.at("/metadata/tokenizer.ggml.tokens/head").size());
            assertEquals("UINT32", j.at("/metadata/llama.block_count/type").asText());
            assertEquals(19, j.get("metadata").size());
            assertFalse(j.get("supports_infill").asBoolean());
        }
    }

    @Test
    void textEscapesAndCutsLongStrings() {
        assertEquals("\"a\\nb\\t\\\"c\\\\\\x01\"", GgufReport.quote("a\nb\t\"c\\\u0001"));
        assertTrue(GgufReport.quote("x".repeat(500)).endsWith("…\""));
        assertEquals("292.8 K", GgufReport.human(292_800));
        assertEquals("6.74 B", GgufReport.human(6_738_415_616L));
    }
}
