package dev.codellm.model.tokenizer;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A vocabulary's special-token roles and end-of-generation set, settled as llama.cpp does (see
 * {@link SpecialTokenRoles}). Tokens recognised by text are treated as control tokens even where
 * the file says otherwise, like llama.cpp does.
 */
final class SpecialTokens {
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
}
