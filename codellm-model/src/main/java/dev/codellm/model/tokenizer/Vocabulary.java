package dev.codellm.model.tokenizer;

import dev.codellm.core.CodellmException;
import dev.codellm.model.gguf.GgufFile;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a tokenizer is built from, as GGUF stores it under {@code tokenizer.ggml.*}.
 *
 * @param model          {@code tokenizer.ggml.model}: {@code "llama"} (SentencePiece) or {@code "gpt2"} (byte-level BPE)
 * @param preTokenizer   {@code tokenizer.ggml.pre} (BPE word-splitting rules), null when absent
 * @param tokens         token texts, index = id
 * @param scores         SentencePiece merge scores (null = all zero)
 * @param tokenTypes     {@link TokenType} codes per token (null = all normal)
 * @param merges         BPE merges in rank order, "left right" (empty for SentencePiece)
 * @param specialIds     special token ids by name: {@code bos, eos, eot, eom, unk, sep, pad, mask,
 *                       fim_pre, fim_suf, fim_mid, fim_pad, fim_rep, fim_sep}
 * @param addBos         {@code tokenizer.ggml.add_bos_token}, null = the model's default
 * @param addEos         {@code tokenizer.ggml.add_eos_token}, null = the model's default
 * @param addSpacePrefix {@code tokenizer.ggml.add_space_prefix}, null = the model's default
 * @param name           a label for messages ({@code general.name} or the file name)
 */
public record Vocabulary(
        String model,
        String preTokenizer,
        List<String> tokens,
        float[] scores,
        int[] tokenTypes,
        List<String> merges,
        Map<String, Integer> specialIds,
        Boolean addBos,
        Boolean addEos,
        Boolean addSpacePrefix,
        String name) {

    /** The special-token names {@link #specialIds} may hold, with their GGUF metadata keys. */
    public static final Map<String, List<String>> SPECIAL_KEYS = Map.ofEntries(
            Map.entry("bos", List.of("tokenizer.ggml.bos_token_id")),
            Map.entry("eos", List.of("tokenizer.ggml.eos_token_id")),
            Map.entry("eot", List.of("tokenizer.ggml.eot_token_id")),
            Map.entry("eom", List.of("tokenizer.ggml.eom_token_id")),
            Map.entry("unk", List.of("tokenizer.ggml.unknown_token_id")),
            Map.entry("sep", List.of("tokenizer.ggml.seperator_token_id", "tokenizer.ggml.separator_token_id")),
            Map.entry("pad", List.of("tokenizer.ggml.padding_token_id")),
            Map.entry("mask", List.of("tokenizer.ggml.mask_token_id")),
            Map.entry("fim_pre", List.of("tokenizer.ggml.fim_pre_token_id", "tokenizer.ggml.prefix_token_id")),
            Map.entry("fim_suf", List.of("tokenizer.ggml.fim_suf_token_id", "tokenizer.ggml.suffix_token_id")),
            Map.entry("fim_mid", List.of("tokenizer.ggml.fim_mid_token_id", "tokenizer.ggml.middle_token_id")),
            Map.entry("fim_pad", List.of("tokenizer.ggml.fim_pad_token_id")),
            Map.entry("fim_rep", List.of("tokenizer.ggml.fim_rep_token_id")),
            Map.entry("fim_sep", List.of("tokenizer.ggml.fim_sep_token_id")));

    public Vocabulary {
        if (model == null) throw new CodellmException(label(name) + ": tokenizer model (tokenizer.ggml.model) is missing");
        if (tokens == null || tokens.isEmpty()) throw new CodellmException(label(name) + ": vocabulary has no tokens");
        if (scores != null && scores.length < tokens.size())
            throw new CodellmException(label(name) + ": " + scores.length + " scores for " + tokens.size() + " tokens");
        if (tokenTypes != null && tokenTypes.length < tokens.size())
            throw new CodellmException(label(name) + ": " + tokenTypes.length + " token types for " + tokens.size() + " tokens");
        merges = merges == null ? List.of() : List.copyOf(merges);
        specialIds = specialIds == null ? Map.of() : Map.copyOf(specialIds);
        for (var e : specialIds.entrySet()) {
            if (!SPECIAL_KEYS.containsKey(e.getKey()))
                throw new IllegalArgumentException("unknown special token name: " + e.getKey());
            if (e.getValue() == null || e.getValue() < 0 || e.getValue() >= tokens.size())
                throw new CodellmException(label(name) + ": " + e.getKey() + " token id " + e.getValue()
                        + " is outside the vocabulary (0.." + (tokens.size() - 1) + ")");
        }
        tokens = List.copyOf(tokens);
    }

    /**
     * Reads the {@code tokenizer.ggml.*} metadata of a GGUF file. Special ids outside the
     * vocabulary (or 0xFFFFFFFF, "none") are ignored, as llama.cpp does.
     */
    public static Vocabulary fromGguf(GgufFile gguf) {
        String name = gguf.optString("general.name", gguf.path().getFileName().toString());
        if (!gguf.has(TokenizerGguf.TOKENS))
            throw new CodellmException(gguf.path() + ": no tokenizer in this GGUF file (" + TokenizerGguf.TOKENS + " is missing)");
        String[] tokens = gguf.getStringArray(TokenizerGguf.TOKENS);
        for (int i = 0; i < tokens.length; i++) if (tokens[i].isEmpty()) tokens[i] = "[EMPTY_" + i + "]"; // as llama.cpp
        float[] scores = null;
        if (gguf.has(TokenizerGguf.SCORES)) {
            try {
                scores = gguf.getFloatArray(TokenizerGguf.SCORES);
            } catch (CodellmException notFloats) {
                int[] ints = gguf.getIntArray(TokenizerGguf.SCORES);
                scores = new float[ints.length];
                for (int i = 0; i < ints.length; i++) scores[i] = ints[i];
            }
        }
        int[] types = gguf.has(TokenizerGguf.TOKEN_TYPE) ? gguf.getIntArray(TokenizerGguf.TOKEN_TYPE) : null;
        List<String> merges = gguf.has(TokenizerGguf.MERGES) ? List.of(gguf.getStringArray(TokenizerGguf.MERGES)) : List.of();
        Map<String, Integer> special = new HashMap<>();
        for (var e : SPECIAL_KEYS.entrySet()) {
            for (String key : e.getValue()) {
                if (!gguf.has(key)) continue;
                long id = gguf.getLong(key);
                if (id >= 0 && id < tokens.length) {
                    special.put(e.getKey(), (int) id);
                    break;
                }
            }
        }
        return new Vocabulary(
                gguf.has(TokenizerGguf.MODEL) ? gguf.getString(TokenizerGguf.MODEL) : null,
                gguf.optString(TokenizerGguf.PRE, null),
                List.of(tokens), scores, types, merges, special,
                optBoolean(gguf, TokenizerGguf.ADD_BOS),
                optBoolean(gguf, TokenizerGguf.ADD_EOS),
                optBoolean(gguf, TokenizerGguf.ADD_SPACE_PREFIX),
                name);
    }

    private static Boolean optBoolean(GgufFile gguf, String key) {
        return gguf.has(key) ? gguf.getBoolean(key) : null;
    }

    public int size() { return tokens.size(); }

    public float score(int id) { return scores == null ? 0f : scores[id]; }

    public TokenType type(int id) { return tokenTypes == null ? TokenType.NORMAL : TokenType.fromCode(tokenTypes[id]); }

    static String label(String name) { return name == null ? "tokenizer" : name; }
}
