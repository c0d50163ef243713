package dev.codellm.model.tokenizer;

import dev.codellm.model.gguf.GgufWriter;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * The {@code tokenizer.*} keys of a GGUF, as llama.cpp's converter writes them: the one place
 * their names live. {@link Vocabulary#fromGguf} reads them; {@link #write} writes a tokenizer
 * (a learned one, a base model's, a converted one) so that reading it back settles every role alike.
 */
public final class TokenizerGguf {
    private TokenizerGguf() {}

    public static final String MODEL = "tokenizer.ggml.model";
    public static final String PRE = "tokenizer.ggml.pre";
    public static final String TOKENS = "tokenizer.ggml.tokens";
    public static final String SCORES = "tokenizer.ggml.scores";
    public static final String TOKEN_TYPE = "tokenizer.ggml.token_type";
    public static final String MERGES = "tokenizer.ggml.merges";
    public static final String ADD_BOS = "tokenizer.ggml.add_bos_token";
    public static final String ADD_EOS = "tokenizer.ggml.add_eos_token";
    public static final String ADD_SPACE_PREFIX = "tokenizer.ggml.add_space_prefix";
    /** Jinja source of the model's chat format (Hugging Face's {@code chat_template}). */
    public static final String CHAT_TEMPLATE = "tokenizer.chat_template";

    /** Roles written as {@code tokenizer.ggml.<role>_token_id} when the tokenizer has them (keys: {@link Vocabulary#SPECIAL_KEYS}). */
    private static final List<String> WRITTEN_ROLES = List.of("bos", "eos", "eot", "eom", "unk", "sep", "pad",
            "fim_pre", "fim_suf", "fim_mid", "fim_pad", "fim_rep", "fim_sep");

    /** Older llama.cpp reads Code Llama's FIM ids under prefix/suffix/middle_token_id, newer ones under fim_*: both are written. */
    private static final List<String> TWICE_WRITTEN_ROLES = List.of("fim_pre", "fim_suf", "fim_mid");

    /**
     * The vocabulary (byte-level BPE with its merges, or SentencePiece with its scores), token types
     * as the file had them (the tokenizer settles them again on loading), the special ids as this
     * tokenizer settled them, and whether BOS is added.
     */
    public static GgufWriter write(GgufWriter g, Tokenizer tok) {
        Vocabulary v = tok.vocabulary();
        int[] types = new int[v.size()];
        for (int i = 0; i < types.length; i++) types[i] = v.type(i).code;
        g.putString(MODEL, v.model());
        if (v.preTokenizer() != null) g.putString(PRE, v.preTokenizer());
        g.putStrings(TOKENS, v.tokens()).putInt32s(TOKEN_TYPE, types);
        if (v.scores() != null) g.putFloats(SCORES, Arrays.copyOf(v.scores(), v.size()));
        if (!v.merges().isEmpty()) g.putStrings(MERGES, v.merges());
        for (String role : WRITTEN_ROLES) {
            OptionalInt id = tok.specialId(role);
            if (id.isEmpty()) continue;
            List<String> keys = Vocabulary.SPECIAL_KEYS.get(role);
            for (String key : TWICE_WRITTEN_ROLES.contains(role) ? keys : keys.subList(0, 1)) g.putUInt32(key, id.getAsInt());
        }
        g.putBool(ADD_BOS, tok.addsBos()).putBool(ADD_EOS, false);
        if (v.addSpacePrefix() != null) g.putBool(ADD_SPACE_PREFIX, v.addSpacePrefix());
        return g;
    }
}
