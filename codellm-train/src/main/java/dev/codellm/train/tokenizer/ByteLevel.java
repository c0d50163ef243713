package dev.codellm.train.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level conventions: the reversible byte → printable-char map used to spell
 * byte-level BPE tokens, and the GPT-2 pre-tokenizer regex (GGUF {@code tokenizer.ggml.pre=gpt-2}).
 */
public final class ByteLevel {
    private ByteLevel() {}

    /** GPT-2 pre-tokenizer: contractions, letters, digits, other symbols, whitespace runs. */
    public static final Pattern GPT2_SPLIT = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        boolean[] printable = new boolean[256];
        for (int b = '!'; b <= '~'; b++) printable[b] = true;
        for (int b = 0xA1; b <= 0xAC; b++) printable[b] = true;
        for (int b = 0xAE; b <= 0xFF; b++) printable[b] = true;
        int n = 0;
        for (int b = 0; b < 256; b++) {
            char c = printable[b] ? (char) b : (char) (256 + n++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    /** The token spelling of one byte. */
    public static char charOf(int b) { return BYTE_TO_CHAR[b & 0xFF]; }

    /** UTF-8 bytes of text spelled with the byte map, e.g. " def" → "Ġdef". */
    public static String spell(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] c = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) c[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(c);
    }

    /** Appends the bytes a spelled token stands for. */
    public static void unspell(String token, java.io.ByteArrayOutputStream out) {
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) throw new IllegalArgumentException("not a byte-level token: " + token);
            out.write(b);
        }
    }

    /** Splits text into pre-tokens with the GPT-2 regex. */
    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = GPT2_SPLIT.matcher(text);
        while (m.find()) out.add(m.group());
        return out;
    }
}
