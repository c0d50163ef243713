package dev.codellm.model.generate;

import java.util.Set;

/**
 * A template's source made to mean under Jinjava what it means under Jinja2, which chat templates
 * are written for ({@link #forJinjava}): line breaks as Jinja2's lexer reads them, one trailing
 * line break dropped ({@code keep_trailing_newline=False}; the rendered output keeps its own),
 * comments taken out with the whitespace Jinja2 takes with them ({@code lstrip_blocks},
 * {@code trim_blocks}, {@code {#- -#}}; Jinjava strips differently around them),
 * {@code not} with Jinja2's precedence, and a clear error for a loop filter
 * ({@code {% for x in xs if cond %}}), which Jinjava would ignore and so render wrongly.
 *
 * <p>{@code not}: in Jinja2 (as in Python)
 * {@code not} binds looser than comparisons and tests: {@code not a == b} is {@code not (a == b)}
 * and {@code not 'x' in s} is {@code not ('x' in s)}; Jinjava's EL grammar applies {@code not} to
 * {@code a} alone. So in every {@code {{ }}} and {@code {% %}} the operand of a {@code not} is put
 * in parentheses, up to where Jinja2's {@code not} would end: {@code and}, {@code or}, an inline
 * {@code if}/{@code else}, a closing bracket or comma at its level, or the end of the expression.
 * {@code not in} and {@code is not} are left alone. Text outside tags, comments and
 * {@code raw} blocks, and string literals are not touched.
 */
final class Jinja2Source {
    private static final Set<String> ENDS = Set.of("and", "or", "if", "else");

    private Jinja2Source() {}

    /** The source to give Jinjava; {@code name} names the template in errors. */
    static String forJinjava(String name, String source) {
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        if (s.endsWith("\n")) s = s.substring(0, s.length() - 1);
        return rewrite(name, s);
    }

    static String rewrite(String name, String src) {
        StringBuilder out = new StringBuilder(src.length() + 16);
        int i = 0;
        while (i < src.length()) {
            int open = src.indexOf('{', i);
            if (open < 0 || open + 1 >= src.length()) { out.append(src, i, src.length()); break; }
            char kind = src.charAt(open + 1);
            if (kind == '#') { // comment: removed here, with the whitespace Jinja2 removes around it
                out.append(src, i, open);
                int end = src.indexOf("#}", open + 2);
                if (end < 0) { i = src.length(); break; }
                boolean stripBefore = open + 2 < src.length() && src.charAt(open + 2) == '-';
                boolean stripAfter = end > open + 2 && src.charAt(end - 1) == '-';
                if (stripBefore) trimTrailingWhitespace(out);
                else lstripLine(out);
                out.append("{{ '' }}"); // keeps the text on either side apart, as the comment did: a {%- after it strips only what follows it
                i = end + 2;
                if (stripAfter) { while (i < src.length() && Character.isWhitespace(src.charAt(i))) i++; }
                else if (i < src.length() && src.charAt(i) == '\n') i++; // trim_blocks
                continue;
            }
            if (kind != '{' && kind != '%') { out.append(src, i, open + 1); i = open + 1; continue; }
            String close = kind == '{' ? "}}" : "%}";
            int end = findClose(src, open + 2, close);
            if (end < 0) { out.append(src, i, src.length()); break; }
            String tag = src.substring(open + 2, end);
            if (kind == '%') rejectLoopFilter(name, tag);
            out.append(src, i, open + 2).append(rewriteExpression(tag)).append(close);
            i = end + 2;
            if (kind == '%' && src.substring(open + 2, end).strip().replaceFirst("^[-+]", "").strip().equals("raw")) {
                int endraw = src.indexOf("endraw", i);
                int stop = endraw < 0 ? src.length() : src.lastIndexOf("{%", endraw);
                if (stop < i) stop = i;
                out.append(src, i, stop);
                i = stop;
            }
        }
        return out.toString();
    }

    /** {@code {#-}: whitespace before the tag goes. */
    private static void trimTrailingWhitespace(StringBuilder out) {
        int k = out.length();
        while (k > 0 && Character.isWhitespace(out.charAt(k - 1))) k--;
        out.setLength(k);
    }

    /** lstrip_blocks: spaces and tabs between the line's start and the tag go when nothing else precedes it on the line. */
    private static void lstripLine(StringBuilder out) {
        int k = out.length();
        while (k > 0 && (out.charAt(k - 1) == ' ' || out.charAt(k - 1) == '\t')) k--;
        if (k == 0 || out.charAt(k - 1) == '\n') out.setLength(k);
    }

    /** The index of {@code close} ending the tag that starts at {@code from}, skipping string literals. */
    private static int findClose(String s, int from, String close) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') { i = skipString(s, i); continue; }
            if (s.startsWith(close, i)) return i;
        }
        return -1;
    }

    private static int skipString(String s, int at) {
        char q = s.charAt(at);
        for (int i = at + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') { i++; continue; }
            if (c == q) return i;
        }
        return s.length() - 1;
    }

    /** The names of the filters the template's tags apply ({@code x | name}), to check they exist: Jinjava passes the value through an unknown one. */
    static java.util.Set<String> filterNames(String src) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        int i = 0;
        while ((i = src.indexOf('{', i)) >= 0 && i + 1 < src.length()) {
            char kind = src.charAt(i + 1);
            if (kind != '{' && kind != '%') { i++; continue; }
            int end = findClose(src, i + 2, kind == '{' ? "}}" : "%}");
            if (end < 0) break;
            String e = src.substring(i + 2, end);
            for (int k = 0; k < e.length(); k++) {
                char c = e.charAt(k);
                if (c == '\'' || c == '"') { k = skipString(e, k); continue; }
                if (c != '|') continue;
                int a = k + 1;
                while (a < e.length() && Character.isWhitespace(e.charAt(a))) a++;
                int b = a;
                while (b < e.length() && isWordPart(e.charAt(b))) b++;
                if (b > a) names.add(e.substring(a, b));
            }
            i = end + 2;
        }
        return names;
    }

    /** {@code for ... in ... if ...}: Jinja2 filters the loop; Jinjava would iterate over every item. */
    private static void rejectLoopFilter(String name, String tag) {
        String t = tag.strip().replaceFirst("^[-+]", "").strip();
        if (!t.startsWith("for ") && !t.startsWith("for\t")) return;
        int in = wordAt(t, "in", 0);
        if (in >= 0 && wordAt(t, "if", in) >= 0 && wordAt(t, "else", in) < 0) {
            throw new dev.codellm.core.CodellmException("chat template " + name + " filters a loop ('{% " + t
                    + " %}'), which this Jinja engine does not support; choose a built-in template with --template");
        }
    }

    /** The index of {@code word} as a whole word outside string literals, from {@code from}, or -1. */
    private static int wordAt(String e, String word, int from) {
        for (int i = from; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') { i = skipString(e, i); continue; }
            if (e.startsWith(word, i) && (i == 0 || !isWordPart(e.charAt(i - 1)))
                    && (i + word.length() == e.length() || !isWordPart(e.charAt(i + word.length())))) return i;
        }
        return -1;
    }

    /** One tag's content with each {@code not}'s operand parenthesized. */
    static String rewriteExpression(String e) {
        StringBuilder out = new StringBuilder(e.length() + 8);
        int i = 0;
        String prevWord = "";
        while (i < e.length()) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') {
                int end = skipString(e, i);
                out.append(e, i, end + 1);
                i = end + 1;
                prevWord = "";
                continue;
            }
            if (isWordStart(c) && (i == 0 || !isWordPart(e.charAt(i - 1)))) {
                int j = i;
                while (j < e.length() && isWordPart(e.charAt(j))) j++;
                String word = e.substring(i, j);
                if (word.equals("not") && !prevWord.equals("is") && !nextWord(e, j).equals("in")) {
                    int end = operandEnd(e, j);
                    out.append("not (").append(rewriteExpression(e.substring(j, end)).strip()).append(')');
                    if (end < e.length() && !Character.isWhitespace(e.charAt(end))) out.append(' ');
                    i = end;
                    prevWord = "";
                    continue;
                }
                out.append(word);
                prevWord = word;
                i = j;
                continue;
            }
            if (!Character.isWhitespace(c)) prevWord = "";
            out.append(c);
            i++;
        }
        return out.toString();
    }

    /** Where the operand of a {@code not} ending at {@code from} ends. */
    private static int operandEnd(String e, int from) {
        int depth = 0;
        for (int i = from; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') { i = skipString(e, i); continue; }
            if (c == '(' || c == '[' || c == '{') depth++;
            else if (c == ')' || c == ']' || c == '}') { if (depth == 0) return trimEnd(e, from, i); depth--; }
            else if (c == ',' && depth == 0) return trimEnd(e, from, i);
            else if (depth == 0 && (c == '-' || c == '+') && i + 1 == e.length() && !e.substring(from, i).isBlank()) return trimEnd(e, from, i); // "-%}" / "+%}" whitespace control
            else if (depth == 0 && isWordStart(c) && (i == 0 || !isWordPart(e.charAt(i - 1)))) {
                int j = i;
                while (j < e.length() && isWordPart(e.charAt(j))) j++;
                if (ENDS.contains(e.substring(i, j)) && i > from) return trimEnd(e, from, i);
                i = j - 1;
            }
        }
        return trimEnd(e, from, e.length());
    }

    /** {@code to}, moved back over whitespace so the closing parenthesis sits right after the operand. */
    private static int trimEnd(String e, int from, int to) {
        int k = to;
        while (k > from && Character.isWhitespace(e.charAt(k - 1))) k--;
        return k;
    }

    private static String nextWord(String e, int from) {
        int i = from;
        while (i < e.length() && Character.isWhitespace(e.charAt(i))) i++;
        int j = i;
        while (j < e.length() && isWordPart(e.charAt(j))) j++;
        return e.substring(i, j);
    }

    private static boolean isWordStart(char c) { return Character.isLetter(c) || c == '_'; }

    private static boolean isWordPart(char c) { return Character.isLetterOrDigit(c) || c == '_'; }
}
