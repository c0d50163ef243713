package dev.codellm.model.tokenizer;

import dev.codellm.core.CodellmException;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A vocabulary's special-token roles and end-of-generation set, settled as llama.cpp does (see
 * {@link SpecialTokenRoles}). Tokens recognised by text are treated as control tokens even where
 * the file says otherwise, like llama.cpp does. The one place every module (the engine, the
 * trainer's objectives) looks up BOS, EOS and the infilling tokens: {@link Tokenizer#specialTokens()}.
 */
public final class SpecialTokens {
    /**
     * Code Llama's spellings of the control tokens a vocabulary learned by the trainer ends with,
     * and the role each one takes (the {@code tokenizer.ggml.*_token_id} key it is written under).
     */
    public static final Map<String, String> CODE_LLAMA_ROLES = codeLlamaRoles();

    /** The spellings of {@link #CODE_LLAMA_ROLES} in their vocabulary order. */
    public static final List<String> CODE_LLAMA_SPELLINGS = List.copyOf(CODE_LLAMA_ROLES.keySet());

    final Map<String, Integer> ids;
    final TokenType[] types;
    final BitSet endOfGeneration;

    SpecialTokens(Vocabulary v, boolean sentencePiece) {
        int n = v.size();
        types = new TokenType[n];
        for (int i = 0; i < n; i++) types[i] = v.type(i);
        ids = new HashMap<>(v.specialIds());
        List<String> tokens = v.tokens();
        for (SpecialTokenRoles.Found f : SpecialTokenRoles.fallbacks(sentencePiece, tokens, ids.keySet())) {
            ids.put(f.role(), f.id());
            if (f.source().equals(SpecialTokenRoles.TOKEN_TEXT)) types[f.id()] = TokenType.CONTROL;
        }
        endOfGeneration = SpecialTokenRoles.endOfGeneration(ids, tokens);
        for (int id = 0; id < n; id++) if (SpecialTokenRoles.isEndOfGenerationText(tokens.get(id))) types[id] = TokenType.CONTROL;
    }

    /** The id of a role ({@code bos, eos, eot, fim_pre, fim_suf, fim_mid, ...}), if the vocabulary settles one. */
    public OptionalInt id(String role) {
        Integer id = ids.get(role);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The id of a role, or an error naming the missing token. */
    public int require(String role) {
        OptionalInt id = id(role);
        if (id.isEmpty()) throw new CodellmException("vocabulary has no special token " + spelling(role) + " (" + role + ")");
        return id.getAsInt();
    }

    /** True when all four Code Llama infilling roles (prefix, suffix, middle, end of infill) exist. */
    public boolean hasFim() {
        return ids.containsKey("fim_pre") && ids.containsKey("fim_suf") && ids.containsKey("fim_mid") && ids.containsKey("eot");
    }

    /** Every settled role and its id. */
    public Map<String, Integer> roles() { return Map.copyOf(ids); }

    private static String spelling(String role) {
        for (var e : CODE_LLAMA_ROLES.entrySet()) if (e.getValue().equals(role)) return e.getKey();
        return role;
    }

    private static Map<String, String> codeLlamaRoles() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("<s>", "bos");
        m.put("</s>", "eos");
        m.put("<PRE>", "fim_pre");
        m.put("<SUF>", "fim_suf");
        m.put("<MID>", "fim_mid");
        m.put("<EOT>", "eot");
        return java.util.Collections.unmodifiableMap(m);
    }
}
