package dev.codellm.embed;

import java.util.Map;

/** A self-contained HTML page with horizontal SVG bar charts (no scripts, no external files). */
final class Html {
    private Html() {}

    static String page(int n, CategoryAnalysis.Result r) {
        StringBuilder sb = new StringBuilder("<!doctype html><meta charset=utf-8><title>OSS-Instruct data analysis</title>")
                .append("<style>body{font-family:sans-serif;margin:2em}h2{margin-top:1.5em}</style>")
                .append("<h1>OSS-Instruct data analysis</h1><p>").append(n).append(" problems, embedded with all-MiniLM-L6-v2.</p>");
        chart(sb, "Categories (closest of 10 descriptions by cosine similarity)", r.categories());
        chart(sb, "Problem length (characters)", r.lengthHistogram());
        chart(sb, String.format("Similarity to the nearest HumanEval prompt (mean %.3f)", r.meanHumanEvalSimilarity()),
                r.humanEvalSimilarityHistogram());
        return sb.append("\n").toString();
    }

    private static void chart(StringBuilder sb, String title, Map<String, Integer> bars) {
        int max = Math.max(1, bars.values().stream().mapToInt(Integer::intValue).max().orElse(1));
        int rowH = 22, labelW = 360, barW = 400;
        sb.append("<h2>").append(esc(title)).append("</h2><svg width=").append(labelW + barW + 60)
                .append(" height=").append(rowH * bars.size() + 4).append(" role=img>");
        int y = 0;
        for (Map.Entry<String, Integer> e : bars.entrySet()) {
            int w = (int) Math.round(barW * e.getValue() / (double) max);
            sb.append("<text x=").append(labelW - 6).append(" y=").append(y + 15).append(" text-anchor=end font-size=13>")
                    .append(esc(e.getKey())).append("</text><rect x=").append(labelW).append(" y=").append(y + 3)
                    .append(" width=").append(w).append(" height=").append(rowH - 6).append(" fill=#4a7bd0></rect><text x=")
                    .append(labelW + w + 4).append(" y=").append(y + 15).append(" font-size=13>").append(e.getValue()).append("</text>");
            y += rowH;
        }
        sb.append("</svg>");
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
