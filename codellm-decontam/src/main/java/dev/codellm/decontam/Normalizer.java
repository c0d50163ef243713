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
