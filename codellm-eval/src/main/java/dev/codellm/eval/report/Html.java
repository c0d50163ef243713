package dev.codellm.eval.report;

/** HTML escaping and the shared page frame. */
public final class Html {
    private Html() {}

    public static String esc(String s) {
        if (s == null) return "";
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
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

    public static String page(String title, String body) {
        return "<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + esc(title) + "</title><style>"
                + "body{font-family:system-ui,sans-serif;margin:24px;max-width:1200px}"
                + "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}"
                + "th{background:#f3f3f3}.pass{color:#2a7d2a}.fail{color:#b22}code{font-size:12px;white-space:pre-wrap;word-break:break-all}"
                + "</style></head><body>" + body + "</body></html>";
    }
}
