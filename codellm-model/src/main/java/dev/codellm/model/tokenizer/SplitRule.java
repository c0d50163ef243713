package dev.codellm.model.tokenizer;

import dev.codellm.core.IntList;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One pre-tokenizer expression: splits a piece {@code [start, end)} of the text into its matches
 * and the text between them, appending each piece's end offset. Every rule has a regular
 * expression that defines it ({@link #expression()}); the common ones also have a hand-written
 * scanner (as llama.cpp has for GPT-2's), several times faster than java.util.regex, and tests
 * check that both always cut the same.
 */
abstract class SplitRule {
    private final String expression;

    SplitRule(String expression) { this.expression = expression; }

    String expression() { return expression; }

    /** Appends the end offsets of the pieces of {@code text[start, end)} (the last one is {@code end}). */
    abstract void split(String text, int start, int end, IntList cuts);

    /** The rule as a plain regular expression (what the scanners must agree with). */
    static SplitRule regex(String expression) { return new Regex(expression); }

    /** GPT-2's {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}. */
    static SplitRule gpt2() { return new Gpt2(); }

    /**
     * Runs of characters of one class ({@code CLASS+}), single ones ({@code CLASS}), optionally
     * with one whitespace character in front ({@code \s?CLASS+}).
     */
    static SplitRule run(String expression, IntPredicate member, boolean optionalSpace, boolean single) {
        return new Run(expression, member, (byte) -1, optionalSpace, single);
    }

    /** As {@link #run(String, IntPredicate, boolean, boolean)} for one character class (LETTER, NUMBER, PUNCT): a table lookup. */
    static SplitRule classRun(String expression, byte cls, boolean optionalSpace, boolean single) {
        return new Run(expression, null, cls, optionalSpace, single);
    }

    // ---- character classes, as llama.cpp defines them ----

    static final byte OTHER = 0, LETTER = 1, NUMBER = 2, SPACE = 3, PUNCT = 4;
    private static final byte[] BMP = new byte[0x10000];

    static {
        for (int c = 0; c < BMP.length; c++) BMP[c] = computeClass(c);
    }

    private static byte computeClass(int cp) {
        if (isWhiteSpace(cp)) return SPACE;
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> PUNCT;
            default -> OTHER;
        };
    }

    /** Unicode White_Space (what {@code \s} means here and in llama.cpp). */
    static boolean isWhiteSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    static byte classOf(int cp) { return cp < 0x10000 ? BMP[cp] : computeClass(cp); }

    static boolean isLetter(int cp) { return classOf(cp) == LETTER; }

    static boolean isNumber(int cp) { return classOf(cp) == NUMBER; }

    static boolean isPunctuation(int cp) { return classOf(cp) == PUNCT; }

    // ---- implementations ----

    private static final class Regex extends SplitRule {
        private final Pattern pattern;

        Regex(String expression) {
            super(expression);
            pattern = Pattern.compile(expression, Pattern.UNICODE_CHARACTER_CLASS);
        }

        @Override
        void split(String text, int start, int end, IntList cuts) {
            Matcher m = pattern.matcher(text);
            m.region(start, end);
            int last = start;
            while (m.find()) {
                if (m.start() > last) cuts.add(m.start());
                if (m.end() > m.start()) cuts.add(m.end());
                last = Math.max(last, m.end());
            }
            if (end > last) cuts.add(end);
        }
    }

    /** A port of llama.cpp's {@code unicode_regex_split_custom_gpt2}. */
    private static final class Gpt2 extends SplitRule {
        Gpt2() { super(PreTokenizer.GPT2); }

        @Override
        void split(String text, int start, int end, IntList cuts) {
            int pos = start;
            while (pos < end) {
                char c = text.charAt(pos);
                if (c == '\'' && pos + 1 < end) {
                    char c1 = text.charAt(pos + 1);
                    if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') {
                        cuts.add(pos += 2);
                        continue;
                    }
                    if (pos + 2 < end) {
                        char c2 = text.charAt(pos + 2);
                        if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) {
                            cuts.add(pos += 3);
                            continue;
                        }
                    }
                }
                int from = c == ' ' ? pos + 1 : pos; // " ?" in front of a letter, number or symbol run
                if (from < end) {
                    int cls = classAt(text, from);
                    if (cls != SPACE) {
                        int p = from;
                        if (cls == LETTER || cls == NUMBER) {
                            while (p < end && classAt(text, p) == cls) p += Character.charCount(text.codePointAt(p));
                        } else { // [^\s\p{L}\p{N}]+
                            while (p < end) {
                                int k = classAt(text, p);
                                if (k == SPACE || k == LETTER || k == NUMBER) break;
                                p += Character.charCount(text.codePointAt(p));
                            }
                        }
                        cuts.add(pos = p);
                        continue;
                    }
                }
                int p = pos; // whitespace run (all whitespace is in the BMP)
                while (p < end && isWhiteSpace(text.charAt(p))) p++;
                if (p - pos > 1 && p < end) p--; // \s+(?!\S): leave the last one to join the next word
                cuts.add(pos = p);
            }
        }

        private static int classAt(String text, int i) {
            int k = classOf(text.codePointAt(i));
            return k == PUNCT ? OTHER : k;
        }
    }

    private static final class Run extends SplitRule {
        private final IntPredicate member;
        private final byte cls;
        private final boolean optionalSpace, single;

        Run(String expression, IntPredicate member, byte cls, boolean optionalSpace, boolean single) {
            super(expression);
            this.member = member;
            this.cls = cls;
            this.optionalSpace = optionalSpace;
            this.single = single;
        }

        private boolean in(int cp) { return cls >= 0 ? classOf(cp) == cls : member.test(cp); }

        @Override
        void split(String text, int start, int end, IntList cuts) {
            int gap = start, pos = start;
            while (pos < end) {
                int cp = text.codePointAt(pos);
                int from = pos;
                if (optionalSpace && isWhiteSpace(cp) && pos + 1 < end && in(text.codePointAt(pos + 1))) from = pos + 1;
                else if (!in(cp)) {
                    pos += Character.charCount(cp);
                    continue;
                }
                int p = from + Character.charCount(text.codePointAt(from));
                if (!single) {
                    while (p < end) {
                        int q = text.codePointAt(p);
                        if (!in(q)) break;
                        p += Character.charCount(q);
                    }
                }
                if (pos > gap) cuts.add(pos);
                cuts.add(p);
                gap = pos = p;
            }
            if (end > gap) cuts.add(end);
        }
    }
}
