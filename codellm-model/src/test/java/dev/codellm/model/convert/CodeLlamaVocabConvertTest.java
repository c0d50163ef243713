package dev.codellm.model.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.codellm.core.SharedData;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Code Llama's vocabulary as its Hugging Face release describes it: Llama 2's 32000 SentencePiece
 * pieces, vocab_size 32016 in config.json, and the infill tokens ▁&lt;PRE&gt; ▁&lt;SUF&gt; ▁&lt;MID&gt;
 * ▁&lt;EOT&gt; at 32007-32010 in tokenizer_config.json's added_tokens_decoder. After convert the
 * GGUF carries them at those ids and the infill roles point at them (what llama.cpp's converter
 * writes), the rest of the extra ids are [PADn] pieces, and our tokenizer reads all of it back.
 */
class CodeLlamaVocabConvertTest {
    @TempDir Path dir;

    @Test
    void infillTokensLandAtCodeLlamasIds() throws Exception {
        Path hf = Files.createDirectories(dir.resolve("codellama"));
        Files.writeString(hf.resolve("config.json"), """
                {"architectures": ["LlamaForCausalLM"], "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1,
                 "num_attention_heads": 2, "vocab_size": 32016, "rope_theta": 1000000.0, "tie_word_embeddings": false}
                """);
        Map<String, Object[]> t = HfConvertBadInputTest.tensors();
        t.put("model.embed_tokens.weight", new Object[] {"F32", new long[] {32016, 8}});
        t.put("lm_head.weight", new Object[] {"F32", new long[] {32016, 8}});
        HfConvertBadInputTest.writeSafetensors(hf.resolve("model.safetensors"), t);
        Files.copy(SharedData.require("models/llama2-tokenizer/tokenizer.model"), hf.resolve("tokenizer.model"));
        StringBuilder decoder = new StringBuilder();
        String[] infill = {"▁<PRE>", "▁<SUF>", "▁<MID>", "▁<EOT>"};
        for (int i = 0; i < infill.length; i++)
            decoder.append(i == 0 ? "" : ", ").append("\"").append(32007 + i).append("\": {\"content\": \"").append(infill[i]).append("\", \"special\": true}");
        Files.writeString(hf.resolve("tokenizer_config.json"), "{\"add_bos_token\": true, \"added_tokens_decoder\": {" + decoder + "}}");
        Path out = dir.resolve("codellama.gguf");
        HfToGguf.convert(hf, out, QuantType.F16, null, 1, HfConvertTest.QUIET);
        try (GgufFile f = GgufFile.open(out)) {
            String[] tokens = f.getStringArray("tokenizer.ggml.tokens");
            assertEquals(32016, tokens.length);
            for (int i = 0; i < infill.length; i++) assertEquals(infill[i], tokens[32007 + i]);
            assertEquals("[PAD32000]", tokens[32000]);
            assertEquals(32007, f.getInt("tokenizer.ggml.prefix_token_id"));
            assertEquals(32008, f.getInt("tokenizer.ggml.suffix_token_id"));
            assertEquals(32009, f.getInt("tokenizer.ggml.middle_token_id"));
            assertEquals(32010, f.getInt("tokenizer.ggml.eot_token_id"));
        }
        Tokenizer tok = Tokenizer.fromGguf(out);
        assertEquals(32007, tok.fimPrefix().orElseThrow());
        assertEquals(32008, tok.fimSuffix().orElseThrow());
        assertEquals(32009, tok.fimMiddle().orElseThrow());
        assertEquals(32010, tok.eot().orElseThrow());
    }
}
