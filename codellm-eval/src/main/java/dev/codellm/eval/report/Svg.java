package dev.codellm.eval.report;

import java.util.List;
import java.util.Locale;

/** Small inline SVG charts for the HTML reports (no scripts, no external files). */
public final class Svg {
    private Svg() {}

    static final String[] COLORS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"};

    /**
     * Grouped bars: one group per label, one bar per series, values in [0, 1] shown as percent;
     * a NaN value (no score) draws no bar and is labelled "n/a".
     */
    public static String bars(List<String> groups, List<String> series, double[][] values, String title) {
        int gw = Math.max(40, 16 * series.size() + 24), h = 220, top = 30, left = 40;
        int w = left + gw * groups.size() + 20;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' role='img'>", w, h + 60));
        sb.append("<text x='4' y='16' font-size='13' font-weight='bold'>").append(Html.esc(title)).append("</text>");
        for (int p = 0; p <= 100; p += 25) {
            double y = top + h - 20 - (h - 20) * p / 100.0 * 0.9;
            sb.append(String.format(Locale.ROOT, "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#ddd'/>", left, w - 10, y, y));
            sb.append(String.format(Locale.ROOT, "<text x='2' y='%.1f' font-size='10'>%d%%</text>", y + 3, p));
        }
        for (int g = 0; g < groups.size(); g++) {
            int x0 = left + g * gw + 8;
            for (int s = 0; s < series.size(); s++) {
                double v = values[s][g];
                if (Double.isNaN(v)) {
                    sb.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='9'>n/a</text>", x0 + s * 16, top + h - 22));
                    continue;
                }
                double bh = (h - 20) * v * 0.9;
                double y = top + h - 20 - bh;
                sb.append(String.format(Locale.ROOT, "<rect x='%d' y='%.1f' width='14' height='%.1f' fill='%s'><title>%s %s: %.1f%%</title></rect>",
                        x0 + s * 16, y, bh, COLORS[s % COLORS.length], Html.esc(series.get(s)), Html.esc(groups.get(g)), 100 * v));
                sb.append(String.format(Locale.ROOT, "<text x='%d' y='%.1f' font-size='9'>%.1f</text>", x0 + s * 16, y - 2, 100 * v));
            }
            sb.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='11'>%s</text>", x0, top + h, Html.esc(groups.get(g))));
        }
        for (int s = 0; s < series.size(); s++) {
            sb.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='10' height='10' fill='%s'/><text x='%d' y='%d' font-size='11'>%s</text>",
                    left + s * 180, top + h + 18, COLORS[s % COLORS.length], left + s * 180 + 14, top + h + 27, Html.esc(series.get(s))));
        }
        return sb.append("</svg>").toString();
    }

    /** A strip of one cell per task, coloured by pass rate (red 0 % … green 100 %). */
    static String taskStrip(List<String> taskIds, double[] passRates, String title) {
        int cell = 6, perRow = 100, rows = (taskIds.size() + perRow - 1) / perRow;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' role='img'>",
                perRow * (cell + 1) + 10, rows * (cell + 1) + 24));
        sb.append("<text x='0' y='14' font-size='13' font-weight='bold'>").append(Html.esc(title)).append("</text>");
        for (int i = 0; i < taskIds.size(); i++) {
            int x = (i % perRow) * (cell + 1), y = 20 + (i / perRow) * (cell + 1);
            double r = passRates[i];
            int red = (int) Math.round(220 * (1 - r)), green = (int) Math.round(180 * r);
            sb.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='%d' height='%d' fill='rgb(%d,%d,60)'><title>%s: %.0f%%</title></rect>",
                    x, y, cell, cell, red, green, Html.esc(taskIds.get(i)), 100 * r));
        }
        return sb.append("</svg>").toString();
    }
}
