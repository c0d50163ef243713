package dev.codellm.model.tokenizer;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves which ids are BOS/EOS/EOT/FIM/... and which end generation, as llama.cpp does: ids from
 * the metadata first, then (for ones still missing) well-known token texts. Tokens recognised by
 * text are treated as control tokens even where the file says otherwise, like llama.cpp does.
 */
final class SpecialTokens {
    /** Token texts that identify a special role when the metadata does not name its id. */
    static final Map<String, List<String>> BY_TEXT = Map.of(
            "eot", List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
                    "<EOT>", "_<EOT>", "\u2581<EOT>", "<｜end▁of▁sentence｜>", "<end_of_utterance>"),
            "eom", List.of("<|eom_id|>"),
            "fim_pre", List.of("<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "\u2581<PRE>"),
            "fim_suf", List.of("<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "\u2581<SUF>"),
            "fim_mid", List.of("<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "\u2581<MID>"),
            "fim_pad", List.of("<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>"),
            "fim_rep", List.of("<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"),
            "fim_sep", List.of("<|file_sep|>"));

    /** Token texts that end generation wherever they appear in a vocabulary. */
    static final Set<String> END_OF_GENERATION_TEXTS = Set.of(
            "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>",
            "\u2581<EOT>", "<|end_of_text|>", "<end_of_utterance>", "<｜end▁of▁sentence｜>");

    final Map<String, Integer> ids;
    final TokenType[] types;
    final BitSet endOfGeneration;

    SpecialTokens(Vocabulary v, boolean sentencePiece) {
        int n = v.size();
        types = new TokenType[n];
        for (int i = 0; i < n; i++) types[i] = v.type(i);
        ids = new HashMap<>(v.specialIds());
        if (sentencePiece) { // llama.cpp's defaults for SentencePiece vocabularies
            if (n > 1) ids.putIfAbsent("bos", 1);
            if (n > 2) ids.putIfAbsent("eos", 2);
            ids.putIfAbsent("unk", 0);
        }
        Map<String, Integer> byText = new HashMap<>();
        for (int id = 0; id < n; id++) byText.putIfAbsent(v.tokens().get(id), id);
        for (var role : BY_TEXT.entrySet()) {
            if (ids.containsKey(role.getKey())) continue;
            for (String text : role.getValue()) {
                Integer id = byText.get(text);
                if (id != null) {
                    ids.put(role.getKey(), id);
                    types[id] = TokenType.CONTROL;
                    break;
                }
            }
        }
        endOfGeneration = new BitSet(n);
        for (String role : List.of("eos", "eot", "eom", "fim_pad", "fim_rep", "fim_sep")) {
            Integer id = ids.get(role);
            if (id != null) endOfGeneration.set(id);
        }
        for (String text : END_OF_GENERATION_TEXTS) {
            Integer id = byText.get(text);
            if (id != null) {
                endOfGeneration.set(id);
                types[id] = TokenType.CONTROL;
            }
        }
    }
}
