package dev.codellm.model.generate;

import dev.codellm.model.generate.PromptPart.FimToken;
import java.util.OptionalInt;

/**
 * A character-level test vocabulary: 0 unk, 1 BOS, 2 EOS, 3..6 the FIM tokens PRE SUF MID EOT,
 * 7 "☺", then one token per character of {@link #CHARS}. encode() adds a dummy-prefix space like
 * SentencePiece. Token 8+ are single characters.
 */
final class FakeCodec implements TokenCodec {
    static final String CHARS = " abcdefghijklmnopqrstuvwxyz,.!\n<>|_[]/`ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static final int FIRST_CHAR = 8;

    static int id(char c) {
        int i = CHARS.indexOf(c);
        if (i < 0) throw new IllegalArgumentException("no token for " + c);
        return FIRST_CHAR + i;
    }

    static int[] ids(String s) {
        return s.chars().map(c -> id((char) c)).toArray();
    }

    @Override
    public int[] encode(String text, boolean parseSpecial) {
        String s = " " + text;
        int[] out = new int[s.length()];
        for (int i = 0; i < s.length(); i++) out[i] = s.charAt(i) == '\u263A' ? 7 : id(s.charAt(i));
        return out;
    }

    @Override public int vocabSize() { return FIRST_CHAR + CHARS.length(); }
    @Override public int bos() { return 1; }
    @Override public int eos() { return 2; }

    @Override
    public OptionalInt specialId(String name) {
        return name.equals("</s>") ? OptionalInt.of(2) : OptionalInt.empty();
    }

    @Override
    public OptionalInt fim(FimToken token) {
        return OptionalInt.of(3 + token.ordinal());
    }

    @Override public boolean isEndOfGeneration(int id) { return id == 2; }

    @Override
    public String piece(int id) {
        if (id == 7) return "\u263A";
        return id >= FIRST_CHAR ? String.valueOf(CHARS.charAt(id - FIRST_CHAR)) : "<" + id + ">";
    }

    @Override
    public TextDecoder newDecoder() {
        return new TextDecoder() {
            @Override public String accept(int id) { return piece(id); }
            @Override public String flush() { return ""; }
        };
    }
}
