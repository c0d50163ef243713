package dev.codellm.model.tokenizer;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How llama.cpp ({@code llama_vocab::impl::load} in src/llama-vocab.cpp) settles the special-token
 * roles a GGUF's metadata leaves open, and which tokens end generation. The one table both the
 * {@link Tokenizer} and {@code codellm inspect} ({@code GgufSummary}) read, so they cannot disagree.
 *
 * <p>Rules, as llama.cpp applies them: ids named in {@code tokenizer.ggml.*_token_id} win;
 * SentencePiece vocabularies default BOS/EOS/UNK to 1/2/0; a role still open takes a token whose
 * text is on that role's list ({@link #BY_TEXT}). So DeepSeek-Coder's {@code <｜end▁of▁sentence｜>}
 * (32014) is its EOT, not {@code <|EOT|>} (32021), which no list names: llama.cpp ends DeepSeek-Coder
 * generation at 32014 and only instruct GGUFs, whose metadata make {@code <|EOT|>} the EOS, at 32021.
 * llama.cpp walks a hash map, so where a vocabulary holds two texts of one role its pick is
 * unspecified; here the first text listed wins. Differences on purpose: Code Llama's
 * {@code ▁<EOT>} counts as EOT here (llama.cpp relies on the converter writing its id).
 */
public final class SpecialTokenRoles {
    private SpecialTokenRoles() {}

    /** A role settled without metadata: where it came from is {@link #SENTENCEPIECE_DEFAULT} or {@link #TOKEN_TEXT}. */
    public record Found(String role, int id, String source) {}

    public static final String SENTENCEPIECE_DEFAULT = "SentencePiece default";
    public static final String TOKEN_TEXT = "token text";

    /** Token texts that identify a role the metadata does not name, per role in preference order. */
    static final Map<String, List<String>> BY_TEXT = ordered(
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

    /** Roles whose token ends generation once settled. */
    private static final List<String> END_OF_GENERATION_ROLES = List.of("eos", "eot", "eom", "fim_pad", "fim_rep", "fim_sep");

    /**
     * The roles llama.cpp settles that are not in {@code known} (lower-case role names: bos, eos,
     * eot, fim_pre, ...): SentencePiece defaults first, then token texts, in {@link #BY_TEXT} order.
     */
    public static List<Found> fallbacks(boolean sentencePiece, List<String> tokens, Set<String> known) {
        List<Found> out = new ArrayList<>();
        int n = tokens.size();
        if (sentencePiece) {
            if (n > 1 && !known.contains("bos")) out.add(new Found("bos", 1, SENTENCEPIECE_DEFAULT));
            if (n > 2 && !known.contains("eos")) out.add(new Found("eos", 2, SENTENCEPIECE_DEFAULT));
            if (!known.contains("unk")) out.add(new Found("unk", 0, SENTENCEPIECE_DEFAULT));
        }
        Map<String, Integer> ids = firstIds(tokens);
        for (var role : BY_TEXT.entrySet()) {
            if (known.contains(role.getKey())) continue;
            role.getValue().stream().filter(ids::containsKey).findFirst()
                    .ifPresent(text -> out.add(new Found(role.getKey(), ids.get(text), TOKEN_TEXT)));
        }
        return out;
    }

    /** The ids that end generation: those of the settled EOS/EOT/EOM/FIM pad, repo, separator roles and every end-of-turn text. */
    public static BitSet endOfGeneration(Map<String, Integer> roles, List<String> tokens) {
        BitSet eog = new BitSet(tokens.size());
        for (String role : END_OF_GENERATION_ROLES) {
            Integer id = roles.get(role);
            if (id != null) eog.set(id);
        }
        for (int id = 0; id < tokens.size(); id++) if (END_OF_GENERATION_TEXTS.contains(tokens.get(id))) eog.set(id);
        return eog;
    }

    /** True when the text makes a token a control token whatever the file says (llama.cpp overrides such types). */
    static boolean isEndOfGenerationText(String text) {
        return END_OF_GENERATION_TEXTS.contains(text);
    }

    private static Map<String, Integer> firstIds(List<String> tokens) {
        Map<String, Integer> ids = new HashMap<>();
        for (int id = 0; id < tokens.size(); id++) ids.putIfAbsent(tokens.get(id), id);
        return ids;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, List<String>> ordered(Object... roleThenTexts) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i = 0; i < roleThenTexts.length; i += 2) m.put((String) roleThenTexts[i], (List<String>) roleThenTexts[i + 1]);
        return java.util.Collections.unmodifiableMap(m);
    }
}
