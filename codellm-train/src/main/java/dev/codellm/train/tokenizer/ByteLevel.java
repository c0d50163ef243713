package dev.codellm.train.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What merge learning needs of GPT-2's byte-level conventions: the pre-tokenizer split and the
 * printable spelling of each byte. Encoding and decoding are the model module's
 * {@link dev.codellm.model.tokenizer.Tokenizer}; its own copies of these tables are package-private,
 * so the learner keeps these two (BpeTrainerTest checks they split exactly as the encoder does).
 */
public final class ByteLevel {
    private ByteLevel() {}

    /** GPT-2 pre-tokenizer (GGUF {@code tokenizer.ggml.pre=gpt-2}). */
    private static final Pattern GPT2_SPLIT = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private static final char[] BYTE_TO_CHAR = new char[256];

    static {
        boolean[] printable = new boolean[256];
        for (int b = '!'; b <= '~'; b++) printable[b] = true;
        for (int b = 0xA1; b <= 0xAC; b++) printable[b] = true;
        for (int b = 0xAE; b <= 0xFF; b++) printable[b] = true;
        int n = 0;
        for (int b = 0; b < 256; b++) BYTE_TO_CHAR[b] = printable[b] ? (char) b : (char) (256 + n++);
    }

    /** The token spelling of one byte. */
    public static char charOf(int b) { return BYTE_TO_CHAR[b & 0xFF]; }

    /** Splits text into pre-tokens with the GPT-2 regex. */
    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = GPT2_SPLIT.matcher(text);
        while (m.find()) out.add(m.group());
        return out;
    }
}
