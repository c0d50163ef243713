package dev.codellm.model.convert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import dev.codellm.model.gguf.GgufWriter;
import dev.codellm.model.tokenizer.TokenizerGguf;
import dev.codellm.model.tokenizer.Vocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face model directory's tokenizer as GGUF {@code tokenizer.*} keys, the way llama.cpp's
 * convert_hf_to_gguf.py writes them, so our tokenizer (and llama.cpp's) give the reference ids:
 * <ul>
 *   <li>SentencePiece {@code tokenizer.model} → model {@code llama}: pieces, scores, types;
 *       {@code added_tokens.json} and {@code tokenizer_config.json}'s {@code added_tokens_decoder}
 *       entries on top (USER_DEFINED, or CONTROL when special); padded to {@code vocab_size} with
 *       UNUSED {@code [PADn]}; Code Llama (32016 tokens) gets its infill ids 32007-32010;</li>
 *   <li>byte-level BPE {@code tokenizer.json} → model {@code gpt2} ({@link BpeTokenizerJson});</li>
 *   <li>special-token ids, {@code add_bos_token}/{@code add_eos_token} and {@code chat_template} from
 *       {@code tokenizer_config.json} (ids found among tokenizer.json's added tokens), then
 *       {@code config.json}'s {@code *_token_id} for the rest (gguf-py's SpecialVocab order).</li>
 * </ul>
 */
public final class HfTokenizer {
    /** The special-token types gguf-py's SpecialVocab looks up (cls has no key in our schema: Llama models have none). */
    static final List<String> SPECIAL_TYPES = List.of("bos", "eos", "unk", "sep", "pad", "mask");

    /** Token texts, scores (null for BPE), types, BPE merges (null for SPM), model and pre-tokenizer names. */
    record Vocab(String model, String pre, List<String> tokens, float[] scores, int[] types, List<String> merges, List<AddedToken> added,
                 Map<String, Integer> fallbackIds) {}

    /** An entry of tokenizer.json's {@code added_tokens}. */
    record AddedToken(int id, String content, boolean special) {}

    private HfTokenizer() {}

    /** Writes the tokenizer keys for the model in {@code dir} ({@code vocabSize} from config.json). */
    public static void put(GgufWriter w, Path dir, int vocabSize, JsonNode config) {
        Vocab v;
        Path spm = dir.resolve("tokenizer.model"), json = dir.resolve("tokenizer.json");
        if (Files.isRegularFile(spm)) v = sentencePiece(dir, spm, vocabSize);
        else if (Files.isRegularFile(json)) v = BpeTokenizerJson.read(json, vocabSize);
        else throw new CodellmException(dir + ": no tokenizer.model (SentencePiece) or tokenizer.json (BPE): cannot write the vocabulary");
        w.putString(TokenizerGguf.MODEL, v.model());
        w.putString(TokenizerGguf.PRE, v.pre());
        w.putStrings(TokenizerGguf.TOKENS, v.tokens());
        if (v.scores() != null) w.putFloats(TokenizerGguf.SCORES, v.scores());
        w.putInt32s(TokenizerGguf.TOKEN_TYPE, v.types());
        if (v.merges() != null) w.putStrings(TokenizerGguf.MERGES, v.merges());
        putSpecial(w, dir, v, config);
        if (vocabSize == 32016 && v.model().equals("llama")) {
            // Code Llama: llama.cpp's converter sets the infill tokens by id (▁<PRE> ▁<SUF> ▁<MID> ▁<EOT>),
            // under both the old prefix/suffix/middle and the fim_* names, as TokenizerGguf does
            for (String k : Vocabulary.SPECIAL_KEYS.get("fim_pre")) w.putUInt32(k, 32007);
            for (String k : Vocabulary.SPECIAL_KEYS.get("fim_suf")) w.putUInt32(k, 32008);
            for (String k : Vocabulary.SPECIAL_KEYS.get("fim_mid")) w.putUInt32(k, 32009);
            w.putUInt32(Vocabulary.SPECIAL_KEYS.get("eot").get(0), 32010);
        }
    }

    static Vocab sentencePiece(Path dir, Path file, int vocabSize) {
        SentencePieceModel sp = SentencePieceModel.read(file);
        int n = Math.max(vocabSize, sp.pieces().size());
        List<String> tokens = new ArrayList<>(n);
        float[] scores = new float[n];
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            if (i < sp.pieces().size()) {
                SentencePieceModel.Piece p = sp.pieces().get(i);
                tokens.add(p.text());
                scores[i] = p.score();
                types[i] = p.type();
            } else {
                tokens.add("[PAD" + i + "]");
                scores[i] = -10000f;
                types[i] = 5;
            }
        }
        Path added = dir.resolve("added_tokens.json");
        if (Files.isRegularFile(added)) {
            for (Iterator<Map.Entry<String, JsonNode>> it = Json.read(added).fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                int id = e.getValue().asInt(-1);
                if (id < 0 || id >= n) continue;  // llama.cpp ignores ids past the vocabulary
                tokens.set(id, e.getKey());
                scores[id] = -1000f;
                types[id] = 4;
            }
        }
        JsonNode cfg = tokenizerConfig(dir);
        if (cfg != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = cfg.path("added_tokens_decoder").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                int id = Integer.parseInt(e.getKey());
                if (id < 0 || id >= n) throw new CodellmException(dir.resolve("tokenizer_config.json") + ": added token id " + id + " is outside the " + n + "-token vocabulary");
                String content = e.getValue().path("content").asText();
                if (e.getValue().path("special").asBoolean(false) || looksSpecial(content)) {
                    types[id] = 3;
                } else {
                    content = content.replace("\u2581", " ");
                    types[id] = 4;
                }
                scores[id] = -1000f;
                tokens.set(id, content);
            }
        }
        // the model's own trainer_spec ids stand in for tokenizer.json's added tokens, which a directory may lack
        Map<String, Integer> fallback = new LinkedHashMap<>();
        fallback.put("unk", sp.unkId());
        fallback.put("bos", sp.bosId());
        fallback.put("eos", sp.eosId());
        fallback.put("pad", sp.padId());
        return new Vocab("llama", "default", tokens, scores, types, null, List.of(), fallback);
    }

    /** llama.cpp's does_token_look_special: &lt;|x|&gt; and &lt;｜x｜&gt; names, and a few that models forget to mark. */
    static boolean looksSpecial(String t) {
        if (t.equals("<pad>") || t.equals("<mask>") || t.equals("<2mass>") || t.equals("[@BOS@]")) return true;
        if (t.startsWith("<|") && t.endsWith("|>")) return true;
        if (t.startsWith("<｜") && t.endsWith("｜>")) return true;
        return t.startsWith("<unused") && t.endsWith(">");
    }

    static JsonNode tokenizerConfig(Path dir) {
        Path f = dir.resolve("tokenizer_config.json");
        return Files.isRegularFile(f) ? Json.read(f) : null;
    }

    private static void putSpecial(GgufWriter w, Path dir, Vocab v, JsonNode config) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        JsonNode tc = tokenizerConfig(dir);
        if (tc != null) {
            JsonNode tmpl = tc.get("chat_template");
            if (tmpl != null && tmpl.isTextual()) w.putString(TokenizerGguf.CHAT_TEMPLATE, tmpl.asText());
            else if (tmpl != null && tmpl.isArray()) {
                // several named templates: llama.cpp keeps "default" as tokenizer.chat_template and the rest by name
                for (JsonNode t : tmpl) {
                    String name = t.path("name").asText();
                    String text = t.path("template").asText();
                    w.putString(name.equals("default") ? TokenizerGguf.CHAT_TEMPLATE : TokenizerGguf.CHAT_TEMPLATE + "." + name, text);
                }
            }
            for (String typ : SPECIAL_TYPES) {
                JsonNode add = tc.get("add_" + typ + "_token");
                if (add != null && add.isBoolean() && typ.equals("bos")) w.putBool(TokenizerGguf.ADD_BOS, add.asBoolean());
                if (add != null && add.isBoolean() && typ.equals("eos")) w.putBool(TokenizerGguf.ADD_EOS, add.asBoolean());
                JsonNode e = tc.get(typ + "_token");
                String content = e == null ? null : e.isTextual() ? e.asText() : e.path("content").isTextual() ? e.path("content").asText() : null;
                if (content == null) continue;
                for (AddedToken a : v.added()) {
                    if (a.content().equals(content)) {
                        ids.putIfAbsent(typ, a.id());
                        break;
                    }
                }
            }
        }
        for (String typ : SPECIAL_TYPES) {
            JsonNode id = config.get(typ + "_token_id");
            if (id != null && id.canConvertToInt()) ids.putIfAbsent(typ, id.asInt());
        }
        v.fallbackIds().forEach((typ, id) -> { if (id >= 0) ids.putIfAbsent(typ, id); });
        ids.forEach((typ, id) -> {
            if (id >= 0 && id < v.tokens().size()) w.putUInt32(Vocabulary.SPECIAL_KEYS.get(typ).get(0), id);
        });
    }

}
