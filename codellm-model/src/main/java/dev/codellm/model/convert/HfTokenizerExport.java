package dev.codellm.model.convert;

import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import dev.codellm.model.tokenizer.TokenType;
import dev.codellm.model.tokenizer.Vocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF vocabulary written back as Hugging Face tokenizer files, the inverse of {@link HfTokenizer}
 * (so convert of the export gives the same tokenizer keys): SentencePiece vocabularies as
 * {@code tokenizer.model}, byte-level BPE ones as {@code tokenizer.json} (vocab, merges, added
 * tokens, the pre-tokenizer block of {@link BpeTokenizerJson}'s table), and {@code tokenizer_config.json}.
 */
final class HfTokenizerExport {
    private HfTokenizerExport() {}

    /** Writes the files into {@code dir}; returns the main file's name. */
    static String write(Path dir, Vocabulary v, String chatTemplate, int contextLength) throws IOException {
        String file;
        boolean spm = "llama".equals(v.model());
        if (spm) {
            List<SentencePieceModel.Piece> pieces = new ArrayList<>(v.size());
            boolean bytes = false;
            for (int i = 0; i < v.size(); i++) {
                pieces.add(new SentencePieceModel.Piece(v.tokens().get(i), v.score(i), v.type(i).code));
                bytes |= v.type(i) == TokenType.BYTE;
            }
            Map<String, Integer> s = v.specialIds();
            SentencePieceModel m = new SentencePieceModel(pieces, 2, bytes, v.addSpacePrefix() == null || v.addSpacePrefix(),
                    s.getOrDefault("unk", 0), s.getOrDefault("bos", -1), s.getOrDefault("eos", -1), s.getOrDefault("pad", -1));
            Files.write(dir.resolve("tokenizer.model"), m.toBytes());
            file = "tokenizer.model";
        } else if ("gpt2".equals(v.model())) {
            Json.write(dir.resolve("tokenizer.json"), tokenizerJson(v));
            file = "tokenizer.json";
        } else {
            throw new CodellmException("cannot export a '" + v.model() + "' tokenizer (SentencePiece 'llama' and byte-level BPE 'gpt2' are supported)");
        }
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("add_bos_token", v.addBos() != null ? v.addBos() : spm);
        cfg.put("add_eos_token", v.addEos() != null && v.addEos());
        for (String role : List.of("bos", "eos", "unk", "pad")) {
            Integer id = v.specialIds().get(role);
            if (id != null) cfg.put(role + "_token", v.tokens().get(id));
        }
        if (chatTemplate != null) cfg.put("chat_template", chatTemplate);
        cfg.put("model_max_length", contextLength);
        cfg.put("clean_up_tokenization_spaces", false);
        cfg.put("tokenizer_class", spm ? "LlamaTokenizer" : "PreTrainedTokenizerFast");
        if (spm) cfg.put("legacy", false);
        Json.write(dir.resolve("tokenizer_config.json"), cfg);
        return file;
    }

    private static Map<String, Object> tokenizerJson(Vocabulary v) {
        List<String> sig = null;
        for (Map.Entry<List<String>, String> e : BpeTokenizerJson.PRE.entrySet()) if (e.getValue().equals(v.preTokenizer())) sig = e.getKey();
        if (sig == null)
            throw new CodellmException("cannot write tokenizer.json for pre-tokenizer '" + v.preTokenizer() + "' (known: " + BpeTokenizerJson.PRE.values() + ")");
        List<Object> pre = new ArrayList<>();
        for (String s : sig) {
            switch (s) {
                case "bytelevel", "bytelevel-regex" -> pre.add(Map.of("type", "ByteLevel", "add_prefix_space", false, "trim_offsets", true,
                        "use_regex", s.equals("bytelevel-regex")));
                case "digits1" -> pre.add(Map.of("type", "Digits", "individual_digits", true));
                default -> pre.add(Map.of("type", "Split", "pattern", Map.of("Regex", s), "behavior", "Isolated", "invert", false));
            }
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        List<Object> added = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            TokenType type = v.type(i);
            String t = v.tokens().get(i);
            if (type == TokenType.CONTROL || type == TokenType.USER_DEFINED) {
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("id", i);
                a.put("content", t);
                a.put("single_word", false);
                a.put("lstrip", false);
                a.put("rstrip", false);
                a.put("normalized", false);
                a.put("special", type == TokenType.CONTROL);
                added.add(a);
            } else if (type != TokenType.UNUSED) {
                vocab.put(t, i);
            }
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", null);
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("vocab", vocab);
        model.put("merges", v.merges());
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        root.put("added_tokens", added);
        root.put("normalizer", null);
        root.put("pre_tokenizer", pre.size() == 1 ? pre.get(0) : Map.of("type", "Sequence", "pretokenizers", pre));
        Integer bos = v.specialIds().get("bos");
        if (bos != null && (v.addBos() == null || v.addBos())) {
            String b = v.tokens().get(bos);
            root.put("post_processor", Map.of("type", "TemplateProcessing",
                    "single", List.of(Map.of("SpecialToken", Map.of("id", b, "type_id", 0)), Map.of("Sequence", Map.of("id", "A", "type_id", 0))),
                    "pair", List.of(Map.of("SpecialToken", Map.of("id", b, "type_id", 0)), Map.of("Sequence", Map.of("id", "A", "type_id", 0)),
                            Map.of("SpecialToken", Map.of("id", b, "type_id", 1)), Map.of("Sequence", Map.of("id", "B", "type_id", 1))),
                    "special_tokens", Map.of(b, Map.of("id", b, "ids", List.of(bos), "tokens", List.of(b)))));
        } else {
            root.put("post_processor", null);
        }
        root.put("decoder", Map.of("type", "ByteLevel", "add_prefix_space", true, "trim_offsets", true, "use_regex", true));
        root.put("model", model);
        return root;
    }
}
