package dev.codellm.eval.gen;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a model's answer into a program: takes the code out of markdown fences (the block that
 * defines the entry point, else the longest), splits it into top-level statements, and keeps
 * the imports plus the definitions (functions, classes, assignments) the entry point needs,
 * transitively. Test code, prints, asserts, {@code if __name__ == "__main__":} blocks and chatty
 * prose lines are dropped. Works on text, without running anything.
 */
public final class Sanitizer {
    private Sanitizer() {}

    enum Kind { IMPORT, DEF, ASSIGN, MAIN, OTHER }

    record Chunk(Kind kind, Set<String> names, String text) {}

    private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)\\s*([\\w+-]*)\\s*$");
    private static final Pattern DEF_LINE = Pattern.compile("^(?:async\\s+)?def\\s+([A-Za-z_]\\w*)|^class\\s+([A-Za-z_]\\w*)");
    private static final Pattern ASSIGN_LINE = Pattern.compile("^([A-Za-z_]\\w*(?:\\s*,\\s*[A-Za-z_]\\w*)*)\\s*(?::[^=]+)?=(?!=)");
    private static final Pattern IDENT = Pattern.compile("[A-Za-z_]\\w*");
    private static final Set<String> CONTINUATIONS = Set.of("else", "elif", "except", "finally");
    private static final Set<String> CODE_STARTS = Set.of("for", "while", "if", "try", "with", "assert", "print", "return",
            "raise", "del", "pass", "global", "nonlocal", "lambda", "yield", "async", "await", "match");

    /** The cleaned program; the entry point may be null (then every definition is kept). */
    public static String sanitize(String answer, String entryPoint) {
        String code = extractCode(answer.replace("\r\n", "\n"), entryPoint);
        List<Chunk> chunks = chunks(code);
        Set<Integer> keep = select(chunks, entryPoint);
        StringBuilder sb = new StringBuilder();
        Kind last = null;
        for (int i = 0; i < chunks.size(); i++) {
            if (!keep.contains(i)) continue;
            Chunk c = chunks.get(i);
            String t = c.text().stripTrailing();
            if (t.isEmpty()) continue;
            // Imports stay together; definitions get a blank line between them.
            if (last != null) sb.append(last == Kind.IMPORT && c.kind() == Kind.IMPORT ? "\n" : "\n\n");
            sb.append(t);
            last = c.kind();
        }
        return sb.isEmpty() ? "" : sb.append('\n').toString();
    }

    /** The fenced block that defines the entry point, else the longest block, else the whole text. */
    static String extractCode(String text, String entryPoint) {
        List<String> blocks = new ArrayList<>();
        StringBuilder cur = null;
        for (String line : text.split("\n", -1)) {
            Matcher m = FENCE.matcher(line);
            if (m.matches()) {
                if (cur == null) {
                    cur = new StringBuilder();
                } else {
                    blocks.add(cur.toString());
                    cur = null;
                }
                continue;
            }
            if (cur != null) cur.append(line).append('\n');
        }
        if (cur != null && !cur.isEmpty()) blocks.add(cur.toString()); // unclosed fence: runs to the end
        if (blocks.isEmpty()) return text;
        if (entryPoint != null) {
            Pattern def = Pattern.compile("(?m)^\\s*(?:async\\s+)?def\\s+" + Pattern.quote(entryPoint) + "\\s*\\(");
            for (String b : blocks) if (def.matcher(b).find()) return b;
        }
        String longest = "";
        for (String b : blocks) if (b.length() > longest.length()) longest = b;
        return longest;
    }

    /** Splits code into top-level statements (with their indented bodies, decorators, continuations). */
    static List<Chunk> chunks(String code) {
        List<Chunk> out = new ArrayList<>();
        String[] lines = code.split("\n", -1);
        int i = 0;
        while (i < lines.length) {
            String line = lines[i];
            if (line.isBlank() || Character.isWhitespace(line.charAt(0)) || line.startsWith("#")) {
                // stray indented line or comment outside any statement: attach to nothing
                i++;
                continue;
            }
            Kind kind;
            Set<String> names = new HashSet<>();
            int start = i;
            // Decorators belong to the def/class below them.
            int head = i;
            while (head < lines.length && lines[head].startsWith("@")) head++;
            String first = head < lines.length ? lines[head] : line;
            Matcher d = DEF_LINE.matcher(first);
            Matcher a = ASSIGN_LINE.matcher(first);
            String word = firstWord(first);
            if (first.startsWith("import ") || first.startsWith("from ")) kind = Kind.IMPORT;
            else if (d.find()) {
                kind = Kind.DEF;
                names.add(d.group(1) != null ? d.group(1) : d.group(2));
            } else if (first.matches("^if\\s+__name__\\s*==.*")) kind = Kind.MAIN;
            else if (a.find() && !CODE_STARTS.contains(word)) {
                kind = Kind.ASSIGN;
                for (String n : a.group(1).split(",")) names.add(n.strip());
            } else kind = Kind.OTHER;
            boolean isCode = kind != Kind.OTHER || looksLikeCode(first, word);
            // Scan the statement: bracket depth and triple-quoted strings carry over lines.
            Scanner sc = new Scanner();
            i = head;
            sc.feed(lines[i]);
            i++;
            while (i < lines.length) {
                String l = lines[i];
                boolean open = isCode && (sc.depth > 0 || sc.triple != null || sc.backslash);
                boolean continues = open || l.isBlank() || Character.isWhitespace(l.charAt(0))
                        || (isCode && l.startsWith("#") && nextCodeLineIndented(lines, i))
                        || (isCode && CONTINUATIONS.contains(firstWord(l)));
                if (!continues) break;
                if (isCode) sc.feed(l);
                i++;
            }
            StringBuilder text = new StringBuilder();
            for (int j = start; j < i; j++) text.append(lines[j]).append('\n');
            out.add(new Chunk(kind, names, text.toString()));
        }
        return out;
    }

    private static boolean nextCodeLineIndented(String[] lines, int i) {
        for (int j = i + 1; j < lines.length; j++) {
            String l = lines[j];
            if (l.isBlank() || l.startsWith("#")) continue;
            return Character.isWhitespace(l.charAt(0));
        }
        return false;
    }

    private static String firstWord(String line) {
        Matcher m = IDENT.matcher(line);
        return m.lookingAt() ? m.group() : "";
    }

    /** Prose like "Here's the fix:" must not open brackets that swallow the code after it. */
    private static boolean looksLikeCode(String line, String word) {
        if (CODE_STARTS.contains(word)) return true;
        return line.matches("^[A-Za-z_][\\w.]*\\s*[(\\[].*") && !line.matches("^[A-Za-z_]\\w*\\s+[A-Za-z].*");
    }

    /** Imports always; then the entry point's definition and, transitively, what it references. */
    static Set<Integer> select(List<Chunk> chunks, String entryPoint) {
        Set<Integer> keep = new HashSet<>();
        for (int i = 0; i < chunks.size(); i++) if (chunks.get(i).kind() == Kind.IMPORT) keep.add(i);
        boolean found = entryPoint != null && chunks.stream().anyMatch(c -> c.kind() == Kind.DEF && c.names().contains(entryPoint));
        if (!found) {
            for (int i = 0; i < chunks.size(); i++) {
                Kind k = chunks.get(i).kind();
                if (k == Kind.DEF || k == Kind.ASSIGN) keep.add(i);
            }
            return keep;
        }
        Deque<String> todo = new ArrayDeque<>(List.of(entryPoint));
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (!seen.add(name)) continue;
            for (int i = 0; i < chunks.size(); i++) {
                Chunk c = chunks.get(i);
                if ((c.kind() == Kind.DEF || c.kind() == Kind.ASSIGN) && c.names().contains(name) && keep.add(i)) {
                    Matcher m = IDENT.matcher(c.text());
                    while (m.find()) if (!seen.contains(m.group())) todo.push(m.group());
                }
            }
        }
        return keep;
    }

    /** Tracks brackets, strings and comments across the lines of one statement. */
    private static final class Scanner {
        int depth;
        String triple; // the open triple quote, or null
        boolean backslash;

        void feed(String line) {
            backslash = false;
            int i = 0;
            while (i < line.length()) {
                char ch = line.charAt(i);
                if (triple != null) {
                    if (line.startsWith(triple, i)) {
                        i += 3;
                        triple = null;
                    } else i += ch == '\\' ? 2 : 1;
                    continue;
                }
                if (ch == '#') break;
                if (ch == '"' || ch == '\'') {
                    String q3 = String.valueOf(ch).repeat(3);
                    if (line.startsWith(q3, i)) {
                        triple = q3;
                        i += 3;
                        continue;
                    }
                    i++; // single-line string: ends at the matching quote or the line end
                    while (i < line.length() && line.charAt(i) != ch) i += line.charAt(i) == '\\' ? 2 : 1;
                    i++;
                    continue;
                }
                if (ch == '(' || ch == '[' || ch == '{') depth++;
                else if ((ch == ')' || ch == ']' || ch == '}') && depth > 0) depth--;
                i++;
            }
            backslash = triple == null && line.endsWith("\\");
        }
    }
}
