package dev.codellm.decontam;

/**
 * Text normalisations the methods match on. Both are applied identically to benchmark items and
 * to training text, so a difference in whitespace, indentation, line endings or punctuation
 * cannot hide a copy.
 */
public final class Normalizer {
    private Normalizer() {}

    /** ASCII fast path for {@link #lettersAndDigits}: true for [A-Za-z0-9]. */
    private static final byte[] ASCII_KEEP = new byte[128];

    static {
        for (int c = 0; c < 128; c++) ASCII_KEEP[c] = (byte) (Character.isLetterOrDigit(c) ? 1 : 0);
    }

    /**
     * The OpenAI/GPT-4 normalisation: drop whitespace and symbols, keep letters and digits (any
     * script; case kept). Writes into {@code dst} from 0 and returns the number of chars written;
     * {@code dst} must hold {@code len} chars. Surrogate pairs are kept or dropped as a whole.
     */
    public static int lettersAndDigits(char[] src, int off, int len, char[] dst) {
        int n = 0;
        int end = off + len;
        final byte[] keep = ASCII_KEEP;
        for (int i = off; i < end; i++) {
            char c = src[i];
            if (c < 128) {
                // Branch-free: always store, advance only for kept chars (no mispredictions on code).
                dst[n] = c;
                n += keep[c];
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(src[i + 1])) {
                int cp = Character.toCodePoint(c, src[i + 1]);
                if (Character.isLetterOrDigit(cp)) {
                    dst[n++] = c;
                    dst[n++] = src[i + 1];
                }
                i++;
            } else if (Character.isLetterOrDigit(c)) {
                dst[n++] = c;
            }
        }
        return n;
    }

    /**
     * {@link #lettersAndDigits} straight from the UTF-8 bytes of a JSON string literal, without
     * decoding it to chars first (the costliest step of a scan when done by a JSON parser).
     * {@code start} is just after the opening quote; stops at the closing quote (or {@code end}).
     * Gives exactly the chars {@link #lettersAndDigits} gives for the decoded string: escapes
     * decoded (backslash-n, backslash-quote... are symbols; a backslash-u escape may be a letter,
     * a pair of them a supplementary letter). The caller's JSON parser validates the literal;
     * here malformed bytes only must not throw. {@code dst} must hold {@code end - start} chars.
     */
    public static int lettersAndDigitsOfJsonString(byte[] b, int start, int end, char[] dst) {
        int n = 0;
        int i = start;
        final byte[] keep = ASCII_KEEP;
        while (i < end) {
            int c = b[i];
            if (c >= 0) {
                if (c == '"') break;
                if (c != '\\') {
                    dst[n] = (char) c;
                    n += keep[c];
                    i++;
                    continue;
                }
                if (i + 1 < end && b[i + 1] == 'u' && i + 6 <= end) {
                    int u = hex4(b, i + 2);
                    i += 6;
                    if (u < 0) continue;
                    if (Character.isHighSurrogate((char) u) && i + 6 <= end && b[i] == '\\' && b[i + 1] == 'u') {
                        int low = hex4(b, i + 2);
                        if (low >= 0 && Character.isLowSurrogate((char) low)) {
                            i += 6;
                            if (Character.isLetterOrDigit(Character.toCodePoint((char) u, (char) low))) {
                                dst[n++] = (char) u;
                                dst[n++] = (char) low;
                            }
                            continue;
                        }
                    }
                    if (Character.isLetterOrDigit((char) u)) dst[n++] = (char) u;
                } else {
                    i += 2;  // \n \t \" \\ \/ \b \f \r: never letters or digits
                }
            } else {
                // A multi-byte UTF-8 sequence: 2, 3 or 4 bytes.
                int lead = c & 0xFF;
                int len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
                if (i + len > end) break;
                int cp = lead & (0x7F >> len);
                for (int k = 1; k < len; k++) cp = (cp << 6) | (b[i + k] & 0x3F);
                i += len;
                if (!Character.isLetterOrDigit(cp)) continue;
                if (cp < 0x10000) dst[n++] = (char) cp;
                else if (cp <= Character.MAX_CODE_POINT) {
                    dst[n++] = Character.highSurrogate(cp);
                    dst[n++] = Character.lowSurrogate(cp);
                }
            }
        }
        return n;
    }

    private static int hex4(byte[] b, int at) {
        int v = 0;
        for (int k = 0; k < 4; k++) {
            int d = Character.digit(b[at + k], 16);
            if (d < 0) return -1;
            v = (v << 4) | d;
        }
        return v;
    }

    public static String lettersAndDigits(String s) {
        char[] src = s.toCharArray();
        char[] dst = new char[src.length];
        return new String(dst, 0, lettersAndDigits(src, 0, src.length, dst));
    }

    /** Word characters for n-gram tokens: letters, digits and underscore (identifiers, numbers). */
    public static boolean isWordChar(char c) {
        if (c < 128) return ASCII_KEEP[c] != 0 || c == '_';
        return Character.isLetterOrDigit(c);
    }
}
