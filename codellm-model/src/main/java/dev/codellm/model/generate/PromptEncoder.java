package dev.codellm.model.generate;

import dev.codellm.core.CodellmException;
import dev.codellm.core.IntList;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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
        append(prompt, out);
        return out.toArray();
    }

    /** The ids of every segment in order, each marked learned as its segment is. */
    public LabeledIds encode(LabeledPrompt prompt) {
        IntList out = new IntList();
        java.util.BitSet learned = new java.util.BitSet();
        for (LabeledPrompt.Segment s : prompt.segments()) {
            int from = out.size();
            append(s.prompt(), out);
            if (s.learned()) learned.set(from, out.size());
        }
        boolean[] marks = new boolean[out.size()];
        for (int i = 0; i < marks.length; i++) marks[i] = learned.get(i);
        return new LabeledIds(out.toArray(), marks);
    }

    private void append(Prompt prompt, IntList out) {
        for (PromptPart part : prompt.parts()) {
            switch (part) {
                case PromptPart.Bos b -> { if (codec.addsBos()) out.add(codec.bos()); }
                case PromptPart.Eos e -> out.add(codec.eos());
                case PromptPart.Fim f -> out.add(codec.fim(f.token()).orElseThrow(() -> new CodellmException(
                        "this model has no fill-in-the-middle token " + f.token().display() + " (infill needs a Code Llama 7B/13B-style vocabulary)")));
                case PromptPart.Text t -> out.addAll(codec.encode(t.text(), t.parseSpecial()));
                case PromptPart.RawText r -> out.addAll(encodeWithoutLeadingSpace(r.text(), r.parseSpecial()));
            }
        }
    }

    /**
     * {@code encode_infilling}: the text's tokens without an implicit leading space. The tokens
     * that spell the leading {@code "☺"} (with the dummy space before it) are dropped: one token
     * in Code Llama's vocabulary, or the byte-fallback tokens of its three UTF-8 bytes in a
     * vocabulary without it.
     */
    int[] encodeWithoutLeadingSpace(String text, boolean parseSpecial) {
        if (text.isEmpty()) return new int[0];
        int[] ids = codec.encode(SMILEY + text, parseSpecial);
        int drop = smileyTokens(ids);
        if (drop > 0) return Arrays.copyOfRange(ids, drop, ids.length);
        // ☺ merged with the text that follows it: fall back to dropping a lone leading space token.
        ids = codec.encode(text, parseSpecial);
        if (ids.length > 0 && codec.piece(ids[0]).equals(" ") && !text.startsWith(" ")) {
            return Arrays.copyOfRange(ids, 1, ids.length);
        }
        return ids;
    }

    /** How many leading ids spell exactly {@code "☺"} or {@code " ☺"}, or 0. */
    private int smileyTokens(int[] ids) {
        byte[] want = SMILEY.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        for (int i = 0; i < ids.length && seen.size() <= want.length; i++) {
            seen.writeBytes(codec.pieceBytes(ids[i]));
            byte[] b = seen.toByteArray();
            int from = b.length > 0 && b[0] == ' ' ? 1 : 0;
            if (b.length - from == want.length && Arrays.equals(b, from, b.length, want, 0, want.length)) return i + 1;
        }
        return 0;
    }
}
