package dev.codellm.model.tokenizer;

import java.io.ByteArrayOutputStream;

/**
 * GPT-2's reversible byte-to-character table: byte-level BPE vocabularies spell every byte as one
 * printable character ('Ġ' for a space, 'Ċ' for a newline, ...). Printable Latin-1 bytes stand for
 * themselves; the other bytes take the characters from U+0100 upward, in byte order.
 */
public final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[0x200];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (0x100 + next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {}

    /** The character that spells byte {@code b} (0..255). */
    public static char charOf(int b) { return BYTE_TO_CHAR[b & 0xff]; }

    /**
     * The bytes a byte-level token spells, or null when a character is outside the table (then the
     * token is not byte-level text, e.g. an added token stored as plain text).
     */
    static byte[] decode(String tokenText) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(tokenText.length());
        for (int i = 0; i < tokenText.length(); i++) {
            char c = tokenText.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) return null;
            out.write(b);
        }
        return out.toByteArray();
    }
}
