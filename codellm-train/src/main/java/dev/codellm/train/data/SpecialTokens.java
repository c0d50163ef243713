package dev.codellm.train.data;

import dev.codellm.core.CodellmException;
import dev.codellm.model.tokenizer.Tokenizer;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/** Ids of the control tokens the objectives use: BOS/EOS and Code Llama's infilling tokens. */
public record SpecialTokens(int bos, int eos, int pre, int suf, int mid, int eot) {
    /** Spellings, in the order {@link dev.codellm.train.tokenizer.BpeTrainer} appends them. */
    public static final List<String> NAMES = List.of("<s>", "</s>", "<PRE>", "<SUF>", "<MID>", "<EOT>");

    /** Each spelling's role as the model module's tokenizer names it (GGUF tokenizer.ggml.*_token_id). */
    public static final Map<String, String> ROLES = Map.of("<s>", "bos", "</s>", "eos", "<PRE>", "fim_pre",
            "<SUF>", "fim_suf", "<MID>", "fim_mid", "<EOT>", "eot");

    public static SpecialTokens of(Tokenizer tok) {
        return new SpecialTokens(id(tok, "<s>"), id(tok, "</s>"), id(tok, "<PRE>"), id(tok, "<SUF>"), id(tok, "<MID>"), id(tok, "<EOT>"));
    }

    private static int id(Tokenizer tok, String spelling) {
        OptionalInt id = tok.specialId(ROLES.get(spelling));
        if (id.isEmpty()) throw new CodellmException("vocabulary has no special token " + spelling + " (" + ROLES.get(spelling) + ")");
        return id.getAsInt();
    }
}
