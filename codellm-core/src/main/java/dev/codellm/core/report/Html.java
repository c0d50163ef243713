package dev.codellm.core.report;

import dev.codellm.core.io.OutputFiles;
import java.nio.file.Path;
import java.util.List;

/**
 * The HTML side of every report page (eval, MultiPL-E, compare, data analysis, training loss):
 * escaping, tables and one page frame with one style sheet. Pages are self-contained: inline
 * CSS and SVG ({@link SvgChart}), no scripts, no external files. Every text that reaches a page
 * goes through {@link #esc}.
 */
public final class Html {
    private Html() {}

    private static final String STYLE = "body{font-family:system-ui,sans-serif;margin:24px;max-width:1200px;color:#222}"
            + "table{border-collapse:collapse;font-size:13px;margin:8px 0}"
            + "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}"
            + "th{background:#f3f3f3}.pass{color:#2a7d2a}.fail{color:#b22}"
            + "code,pre{font-size:12px;white-space:pre-wrap;word-break:break-all}svg{display:block;margin:8px 0}";

    /** Escapes text for element content and quoted attribute values. */
    public static String esc(String s) {
        if (s == null) return "";
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A whole page: the title (escaped) and the body (HTML, already escaped by its builder). */
    public static String page(String title, String body) {
        return "<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + esc(title) + "</title><style>" + STYLE
                + "</style></head><body>" + body + "</body></html>\n";
    }

    /** Writes {@link #page} to a file, atomically. */
    public static void write(Path file, String title, String body) {
        OutputFiles.writeAtomically(file, page(title, body));
    }

    /** A table of plain-text cells (all escaped); {@code heads} may be empty for no header row. */
    public static String table(List<String> heads, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder("<table>");
        if (!heads.isEmpty()) {
            sb.append("<tr>");
            heads.forEach(h -> sb.append("<th>").append(esc(h)).append("</th>"));
            sb.append("</tr>");
        }
        for (List<String> row : rows) {
            sb.append("<tr>");
            row.forEach(c -> sb.append("<td>").append(esc(c)).append("</td>"));
            sb.append("</tr>");
        }
        return sb.append("</table>").toString();
    }

    /** {@code <h2>} with escaped text. */
    public static String heading(String text) {
        return "<h2>" + esc(text) + "</h2>";
    }

    /** A paragraph of escaped text. */
    public static String paragraph(String text) {
        return "<p>" + esc(text) + "</p>";
    }
}
