package dev.codellm.train.data;

import dev.codellm.core.CodellmException;
import dev.codellm.model.tokenizer.Tokenizer;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Ids of the control tokens the objectives use: BOS/EOS, which every vocabulary must have, and Code
 * Llama's infilling tokens, -1 where the vocabulary has none (a SentencePiece Llama base such as
 * stories260K: it can be fine-tuned, but not on the FIM objective).
 */
public record SpecialTokens(int bos, int eos, int pre, int suf, int mid, int eot) {
    /** Spellings, in the order {@link dev.codellm.train.tokenizer.BpeTrainer} appends them. */
    public static final List<String> NAMES = List.of("<s>", "</s>", "<PRE>", "<SUF>", "<MID>", "<EOT>");

    /** Each spelling's role as the model module's tokenizer names it (GGUF tokenizer.ggml.*_token_id). */
    public static final Map<String, String> ROLES = Map.of("<s>", "bos", "</s>", "eos", "<PRE>", "fim_pre",
            "<SUF>", "fim_suf", "<MID>", "fim_mid", "<EOT>", "eot");

    public static SpecialTokens of(Tokenizer tok) {
        return new SpecialTokens(required(tok, "<s>"), required(tok, "</s>"),
                optional(tok, "<PRE>"), optional(tok, "<SUF>"), optional(tok, "<MID>"), optional(tok, "<EOT>"));
    }

    /** True when all four infilling tokens exist. */
    public boolean hasFim() {
        return pre >= 0 && suf >= 0 && mid >= 0 && eot >= 0;
    }

    private static int required(Tokenizer tok, String spelling) {
        int id = optional(tok, spelling);
        if (id < 0) throw new CodellmException("vocabulary has no special token " + spelling + " (" + ROLES.get(spelling) + ")");
        return id;
    }

    private static int optional(Tokenizer tok, String spelling) {
        OptionalInt id = tok.specialId(ROLES.get(spelling));
        return id.isPresent() ? id.getAsInt() : -1;
    }
}
