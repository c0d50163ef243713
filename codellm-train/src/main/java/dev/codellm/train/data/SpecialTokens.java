package dev.codellm.train.data;

import dev.codellm.train.tokenizer.BpeTokenizer;
import java.util.List;

/** Ids of the control tokens the objectives use: BOS/EOS and Code Llama's infilling tokens. */
public record SpecialTokens(int bos, int eos, int pre, int suf, int mid, int eot) {
    /** Spellings, in the order {@link dev.codellm.train.tokenizer.BpeTrainer} appends them. */
    public static final List<String> NAMES = List.of("<s>", "</s>", "<PRE>", "<SUF>", "<MID>", "<EOT>");

    public static SpecialTokens of(BpeTokenizer tok) {
        return new SpecialTokens(tok.special("<s>"), tok.special("</s>"), tok.special("<PRE>"),
                tok.special("<SUF>"), tok.special("<MID>"), tok.special("<EOT>"));
    }
}
