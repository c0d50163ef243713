package dev.codellm.model.tokenizer;

import java.util.Random;

/**
 * Seeded random text that exercises tokenizers: words, code with indentation, digit runs,
 * punctuation, whitespace runs, accented Latin, Cyrillic, CJK, Hangul, emoji (surrogate pairs),
 * combining marks and contractions. ASCII control characters other than tab/newline are left out
 * (references disagree on whether they count as whitespace).
 */
final class RandomText {
    private static final String[] WORDS = {"the", "def", "return", "self", "Hello", "world", "import", "numpy", "x",
            "i", "for", "in", "range", "print", "class", "None", "True", "lambda", "café", "naïve", "Führer",
            "нещо", "Български", "我想在", "工作", "한국어", "日本語", "Cửa", "Việt", "ñandú", "straße", "🦙", "🚀",
            "😶\u200d🌫️", "✅", "e\u0301", "It's", "we'll", "they're", "I'VE", "'d", "«quote»", "½", "²", "٣", "ǅ"};
    private static final String[] PUNCT = {".", ",", "!", "?", ":", ";", "(", ")", "[", "]", "{", "}", "=", "==", "->",
            "+=", "#", "\"", "'", "`", "$", "%", "^", "&", "*", "_", "~", "|", "\\", "/", "<", ">", "@", "...", "--",
            "…", "¿", "、", "。", "～", "“", "”"};
    private static final String[] SPACE = {" ", " ", " ", "  ", "   ", "    ", "\t", "\n", "\n\n", "\n    ", "\r\n",
            " \n", "\t\t", "\u00a0", "\u3000"};

    private RandomText() {}

    static String next(Random r, int maxParts) {
        StringBuilder sb = new StringBuilder();
        int parts = 1 + r.nextInt(maxParts);
        for (int i = 0; i < parts; i++) {
            switch (r.nextInt(7)) {
                case 0, 1, 2 -> sb.append(WORDS[r.nextInt(WORDS.length)]);
                case 3 -> sb.append(PUNCT[r.nextInt(PUNCT.length)]);
                case 4 -> sb.append(SPACE[r.nextInt(SPACE.length)]);
                case 5 -> sb.append(r.nextInt(r.nextBoolean() ? 10 : 1_000_000));
                default -> sb.appendCodePoint(randomCodePoint(r));
            }
        }
        return sb.toString();
    }

    /** Any assigned, non-surrogate, non-control code point from a spread of scripts and planes. */
    static int randomCodePoint(Random r) {
        while (true) {
            int cp = switch (r.nextInt(4)) {
                case 0 -> 0x20 + r.nextInt(0x5F);
                case 1 -> 0xA0 + r.nextInt(0x2F60);
                case 2 -> 0x3000 + r.nextInt(0xCFFF);
                default -> 0x1F300 + r.nextInt(0x400);
            };
            int type = Character.getType(cp);
            if (Character.isDefined(cp) && type != Character.SURROGATE && type != Character.CONTROL
                    && type != Character.PRIVATE_USE && type != Character.UNASSIGNED && cp != 0x2581) return cp;
        }
    }
}
