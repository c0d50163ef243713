package dev.codellm.model.generate;

import dev.codellm.core.CodellmException;
import dev.codellm.core.IntList;
import java.util.Arrays;

/** Turns a {@link Prompt} into token ids with a {@link TokenCodec}. */
public final class PromptEncoder {
    /**
     * Code Llama's trick for encoding without the dummy-prefix space ({@code encode_infilling}):
     * encode {@code "☺" + s} and drop the two leading tokens {@code ▁} and {@code ☺}.
     */
    static final String SMILEY = "\u263A";

    private final TokenCodec codec;

    public PromptEncoder(TokenCodec codec) {
        this.codec = codec;
    }

    public int[] encode(Prompt prompt) {
        IntList out = new IntList();
        for (PromptPart part : prompt.parts()) {
            switch (part) {
                case PromptPart.Bos b -> { if (codec.addsBos()) out.add(codec.bos()); }
                case PromptPart.Eos e -> out.add(codec.eos());
                case PromptPart.Fim f -> out.add(codec.fim(f.token()).orElseThrow(() -> new CodellmException(
                        "this model has no fill-in-the-middle token " + f.token().display() + " (infill needs a Code Llama 7B/13B-style vocabulary)")));
                case PromptPart.Text t -> out.addAll(codec.encode(t.text(), t.parseSpecial()));
                case PromptPart.RawText r -> out.addAll(encodeWithoutLeadingSpace(r.text()));
            }
        }
        return out.toArray();
    }

    /** {@code encode_infilling}: the text's tokens without an implicit leading space. */
    int[] encodeWithoutLeadingSpace(String text) {
        if (text.isEmpty()) return new int[0];
        int[] ids = codec.encode(SMILEY + text, false);
        int smiley = -1;
        for (int i = 0; i < Math.min(2, ids.length); i++) if (codec.piece(ids[i]).equals(SMILEY)) smiley = i;
        if (smiley == 0 || (smiley == 1 && codec.piece(ids[0]).isBlank())) {
            return Arrays.copyOfRange(ids, smiley + 1, ids.length);
        }
        // A vocabulary without a stand-alone ☺ token: fall back to dropping a lone leading space token.
        ids = codec.encode(text, false);
        if (ids.length > 0 && codec.piece(ids[0]).equals(" ") && !text.startsWith(" ")) {
            return Arrays.copyOfRange(ids, 1, ids.length);
        }
        return ids;
    }
}
