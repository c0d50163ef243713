package dev.codellm.core.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Inline SVG charts for the report pages: grouped bars, horizontal bars, lines and a cell strip.
 * Every label is escaped. Layout is computed from the texts, so nothing is cut or overlaps:
 * the width fits the title and the category labels, value labels above bars are vertical (two
 * neighbouring "50.0" never run together), a zero bar is still drawn as a line on the axis, a
 * missing value is labelled (default "n/a") instead of drawn as 0, every series is in the legend,
 * and the legend sits outside the plot area. Axis ticks are round numbers.
 */
public final class SvgChart {
    private SvgChart() {}

    /** A colour-blind-safe palette (Tableau 10), cycled. */
    static final String[] COLORS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
    private static final double CHAR_W = 0.6;  // average glyph width of a sans-serif font, in font sizes

    static String color(int i) {
        return COLORS[Math.floorMod(i, COLORS.length)];
    }

    static double textWidth(String s, double fontSize) {
        return s.length() * CHAR_W * fontSize;
    }

    static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Grouped vertical bars: {@code bars(title).categories(...).series(name, values)...svg()}. */
    public static Bars bars(String title) {
        return new Bars(title);
    }

    /** Lines through (x, y) points: {@code lines(title).series(name, points)...svg()}. */
    public static Lines lines(String title) {
        return new Lines(title);
    }

    /** Grouped vertical bars, one group per category and one bar per series. */
    public static final class Bars {
        private final String title;
        private List<String> categories = List.of();
        private final List<String> names = new ArrayList<>();
        private final List<double[]> values = new ArrayList<>();
        private final List<String[]> missingLabels = new ArrayList<>();
        private boolean percent;
        private String missing = "n/a";
        private String yLabel = "";

        private Bars(String title) {
            this.title = title;
        }

        public Bars categories(List<String> categories) {
            this.categories = List.copyOf(categories);
            return this;
        }

        /** One bar per category; {@code NaN} = no value (labelled, not drawn). */
        public Bars series(String name, double[] v) {
            return series(name, v, null);
        }

        /** As above; {@code labels[i]} (when not null) labels a missing value i instead of the default. */
        public Bars series(String name, double[] v, String[] labels) {
            if (v.length != categories.size() || (labels != null && labels.length != v.length)) {
                throw new IllegalArgumentException("series " + name + " has " + v.length + " values for " + categories.size() + " categories");
            }
            names.add(name);
            values.add(v.clone());
            missingLabels.add(labels == null ? new String[v.length] : labels.clone());
            return this;
        }

        /** Values are fractions shown as percent on a 0–100 % axis. */
        public Bars percent() {
            this.percent = true;
            return this;
        }

        /** The label of a missing value (default {@code n/a}). */
        public Bars missingLabel(String label) {
            this.missing = label;
            return this;
        }

        public Bars yLabel(String label) {
            this.yLabel = label;
            return this;
        }

        public String svg() {
            int bw = 14, gap = 3, font = 11, valueFont = 9;
            double maxValue = 0;
            for (double[] v : values) for (double x : v) if (!Double.isNaN(x)) maxValue = Math.max(maxValue, percent ? 100 * x : x);
            double[] ticks = percent ? new double[] {0, 25, 50, 75, 100} : Ticks.nice(0, maxValue <= 0 ? 1 : maxValue, 5);
            double top = ticks[ticks.length - 1];
            double labelW = 0;
            for (String c : categories) labelW = Math.max(labelW, textWidth(c, font));
            double groupW = Math.max(names.size() * (bw + gap) + 12, labelW + 10);
            double axisW = 10 + textWidth(Ticks.label(top, percent), 10) + (yLabel.isEmpty() ? 0 : 16);
            double plotH = 200, valueH = textWidth("100.0", valueFont) + 6, titleH = 22;
            double plotTop = titleH + valueH, plotBottom = plotTop + plotH;
            double width = Math.max(Math.max(axisW + groupW * Math.max(1, categories.size()) + 10, textWidth(title, 13) + 10), Legend.minWidth(names));
            // below the category labels (baseline plotBottom + font + 3, descenders under it), not on them
            Legend legend = new Legend(names, width, plotBottom + font + 3 + 20);
            double height = legend.bottom() + 6;
            StringBuilder sb = open(width, height, title);
            if (!yLabel.isEmpty()) {
                sb.append(String.format(Locale.ROOT, "<text transform='translate(12,%s) rotate(-90)' text-anchor='middle' font-size='10'>%s</text>",
                        f((plotTop + plotBottom) / 2), Html.esc(yLabel)));
            }
            for (double t : ticks) {
                double y = plotBottom - plotH * t / top;
                sb.append(String.format(Locale.ROOT, "<line x1='%s' x2='%s' y1='%s' y2='%s' stroke='#ddd'/>", f(axisW), f(width - 6), f(y), f(y)));
                sb.append(String.format(Locale.ROOT, "<text x='%s' y='%s' font-size='10' text-anchor='end'>%s</text>", f(axisW - 3), f(y + 3), Html.esc(Ticks.label(t, percent))));
            }
            for (int g = 0; g < categories.size(); g++) {
                double x0 = axisW + g * groupW + (groupW - names.size() * (bw + gap) + gap) / 2;
                for (int s = 0; s < names.size(); s++) {
                    double raw = values.get(s)[g], x = x0 + s * (bw + gap), cx = x + bw / 2.0;
                    if (Double.isNaN(raw)) {
                        String label = missingLabels.get(s)[g] != null ? missingLabels.get(s)[g] : missing;
                        sb.append(valueLabel(cx, plotBottom - 3, label, valueFont, "#777"));
                        continue;
                    }
                    double v = percent ? 100 * raw : raw;
                    double h = Math.max(0, plotH * Math.min(v, top) / top);
                    String tip = names.get(s) + " " + categories.get(g) + ": " + Ticks.value(v, percent);
                    sb.append(String.format(Locale.ROOT, "<rect x='%s' y='%s' width='%d' height='%s' fill='%s'><title>%s</title></rect>",
                            f(x), f(plotBottom - Math.max(h, 1.5)), bw, f(Math.max(h, 1.5)), color(s), Html.esc(tip)));
                    sb.append(valueLabel(cx, plotBottom - Math.max(h, 1.5) - 3, percent ? f(v) : Ticks.value(v, false), valueFont, "#222"));
                }
                sb.append(String.format(Locale.ROOT, "<text x='%s' y='%s' font-size='%d' text-anchor='middle'>%s</text>",
                        f(axisW + g * groupW + groupW / 2), f(plotBottom + font + 3), font, Html.esc(categories.get(g))));
            }
            sb.append(String.format(Locale.ROOT, "<line x1='%s' x2='%s' y1='%s' y2='%s' stroke='#888'/>", f(axisW), f(width - 6), f(plotBottom), f(plotBottom)));
            legend.draw(sb);
            return sb.append("</svg>").toString();
        }

        /** A vertical label whose start (bottom) is at (x, y). */
        private static String valueLabel(double x, double y, String text, int font, String fill) {
            return String.format(Locale.ROOT, "<text transform='translate(%s,%s) rotate(-90)' font-size='%d' fill='%s' dominant-baseline='middle'>%s</text>",
                    f(x), f(y), font, fill, Html.esc(text));
        }
    }

    /** Horizontal bars, one per entry, labelled on the left and valued on the right (counts, histograms). */
    public static String horizontalBars(String title, Map<String, ? extends Number> bars) {
        int rowH = 22, font = 13;
        double labelW = 0, valueW = 0, max = 0;
        for (Map.Entry<String, ? extends Number> e : bars.entrySet()) {
            labelW = Math.max(labelW, textWidth(e.getKey(), font));
            valueW = Math.max(valueW, textWidth(Ticks.value(e.getValue().doubleValue(), false), font));
            max = Math.max(max, e.getValue().doubleValue());
        }
        double barW = 400, left = labelW + 12, top = 24;
        double width = Math.max(left + barW + valueW + 16, textWidth(title, 13) + 10);
        StringBuilder sb = open(width, top + rowH * bars.size() + 4, title);
        double y = top;
        for (Map.Entry<String, ? extends Number> e : bars.entrySet()) {
            double v = e.getValue().doubleValue();
            double w = max <= 0 ? 0 : barW * v / max;
            sb.append(String.format(Locale.ROOT, "<text x='%s' y='%s' text-anchor='end' font-size='%d'>%s</text>", f(left - 6), f(y + 15), font, Html.esc(e.getKey())));
            sb.append(String.format(Locale.ROOT, "<rect x='%s' y='%s' width='%s' height='%d' fill='%s'><title>%s: %s</title></rect>",
                    f(left), f(y + 3), f(Math.max(w, 1.5)), rowH - 6, color(0), Html.esc(e.getKey()), Html.esc(Ticks.value(v, false))));
            sb.append(String.format(Locale.ROOT, "<text x='%s' y='%s' font-size='%d'>%s</text>", f(left + Math.max(w, 1.5) + 4), f(y + 15), font,
                    Html.esc(Ticks.value(v, false))));
            y += rowH;
        }
        return sb.append("</svg>").toString();
    }

    /**
     * One cell per item coloured from red (0) to green (1), in rows of 100: e.g. the pass rate of
     * every task. Each cell's tooltip names the item and its value in percent.
     */
    public static String strip(String title, List<String> labels, double[] values) {
        int cell = 6, perRow = 100, rows = Math.max(1, (labels.size() + perRow - 1) / perRow);
        double width = Math.max(perRow * (cell + 1) + 10, textWidth(title, 13) + 10);
        StringBuilder sb = open(width, 24 + rows * (cell + 1) + 4, title);
        for (int i = 0; i < labels.size(); i++) {
            int x = (i % perRow) * (cell + 1) + 2, y = 24 + (i / perRow) * (cell + 1);
            double r = Math.max(0, Math.min(1, values[i]));
            int red = (int) Math.round(220 * (1 - r)), green = (int) Math.round(180 * r);
            sb.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='%d' height='%d' fill='rgb(%d,%d,60)'><title>%s: %.0f%%</title></rect>",
                    x, y, cell, cell, red, green, Html.esc(labels.get(i)), 100 * values[i]));
        }
        return sb.append("</svg>").toString();
    }

    /** Lines through (x, y) points, with round-number axes and the legend below the plot. */
    public static final class Lines {
        private final String title;
        private final List<String> names = new ArrayList<>();
        private final List<List<double[]>> series = new ArrayList<>();
        private final List<Boolean> faint = new ArrayList<>();
        private String xLabel = "", yLabel = "";

        private Lines(String title) {
            this.title = title;
        }

        /** Points are {x, y}; a series may be empty (it is still named in the legend). */
        public Lines series(String name, List<double[]> points) {
            names.add(name);
            series.add(List.copyOf(points));
            faint.add(false);
            return this;
        }

        /** A series drawn thin and pale, behind the others: the raw values under their smoothed line. */
        public Lines faintSeries(String name, List<double[]> points) {
            series(name, points);
            faint.set(faint.size() - 1, true);
            return this;
        }

        public Lines xLabel(String label) {
            this.xLabel = label;
            return this;
        }

        public Lines yLabel(String label) {
            this.yLabel = label;
            return this;
        }

        public String svg() {
            double x0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y0 = Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
            for (List<double[]> s : series) {
                for (double[] p : s) {
                    if (!Double.isFinite(p[0]) || !Double.isFinite(p[1])) continue;
                    x0 = Math.min(x0, p[0]);
                    x1 = Math.max(x1, p[0]);
                    y0 = Math.min(y0, p[1]);
                    y1 = Math.max(y1, p[1]);
                }
            }
            if (x0 > x1) { x0 = 0; x1 = 1; y0 = 0; y1 = 1; }
            double[] xt = Ticks.nice(Math.min(0, x0), x1 > x0 ? x1 : x0 + 1, 6), yt = Ticks.nice(y0, y1 > y0 ? y1 : y0 + 1, 5);
            double xa = xt[0], xb = xt[xt.length - 1], ya = yt[0], yb = yt[yt.length - 1];
            String[] xl = Ticks.labels(xt), yl = Ticks.labels(yt);
            double axisW = 12 + java.util.Arrays.stream(yl).mapToDouble(l -> textWidth(l, 11)).max().orElse(0) + (yLabel.isEmpty() ? 0 : 16);
            double plotW = 720, plotH = 320, top = 26;
            double width = Math.max(Math.max(axisW + plotW + 20, textWidth(title, 13) + 10), Legend.minWidth(names));
            double plotBottom = top + plotH;
            double xLabelY = plotBottom + 30;
            Legend legend = new Legend(names, width, (xLabel.isEmpty() ? plotBottom + 18 : xLabelY) + 20);
            StringBuilder sb = open(width, legend.bottom() + 6, title);
            sb.append(String.format(Locale.ROOT, "<rect x='%s' y='%s' width='%s' height='%s' fill='none' stroke='#999'/>", f(axisW), f(top), f(plotW), f(plotH)));
            for (int i = 0; i < yt.length; i++) {
                double t = yt[i], y = plotBottom - plotH * (t - ya) / (yb - ya);
                sb.append(String.format(Locale.ROOT, "<line x1='%s' x2='%s' y1='%s' y2='%s' stroke='#eee'/>", f(axisW), f(axisW + plotW), f(y), f(y)));
                sb.append(String.format(Locale.ROOT, "<text x='%s' y='%s' font-size='11' text-anchor='end'>%s</text>", f(axisW - 4), f(y + 4), Html.esc(yl[i])));
            }
            for (int i = 0; i < xt.length; i++) {
                double t = xt[i], x = axisW + plotW * (t - xa) / (xb - xa);
                sb.append(String.format(Locale.ROOT, "<text x='%s' y='%s' font-size='11' text-anchor='middle'>%s</text>", f(x), f(plotBottom + 14), Html.esc(xl[i])));
            }
            if (!xLabel.isEmpty()) {
                sb.append(String.format(Locale.ROOT, "<text x='%s' y='%s' font-size='11' text-anchor='middle'>%s</text>", f(axisW + plotW / 2), f(xLabelY), Html.esc(xLabel)));
            }
            if (!yLabel.isEmpty()) {
                sb.append(String.format(Locale.ROOT, "<text transform='translate(12,%s) rotate(-90)' text-anchor='middle' font-size='11'>%s</text>",
                        f(top + plotH / 2), Html.esc(yLabel)));
            }
            for (int s = 0; s < series.size(); s++) {
                if (series.get(s).isEmpty()) continue;
                StringBuilder pts = new StringBuilder();
                for (double[] p : series.get(s)) {
                    if (!Double.isFinite(p[0]) || !Double.isFinite(p[1])) continue;
                    pts.append(f(axisW + plotW * (p[0] - xa) / (xb - xa))).append(',').append(f(plotBottom - plotH * (p[1] - ya) / (yb - ya))).append(' ');
                }
                sb.append("<polyline fill='none' stroke='").append(color(s)).append(faint.get(s) ? "' stroke-width='1' stroke-opacity='0.35" : "' stroke-width='1.5")
                        .append("' points='").append(pts.toString().strip()).append("'><title>").append(Html.esc(names.get(s))).append("</title></polyline>");
                // a series of a few points (held-out losses every N steps) also gets a dot per point
                if (series.get(s).size() <= 40) {
                    for (double[] p : series.get(s)) {
                        if (!Double.isFinite(p[0]) || !Double.isFinite(p[1])) continue;
                        sb.append(String.format(Locale.ROOT, "<circle cx='%s' cy='%s' r='2.5' fill='%s'/>", f(axisW + plotW * (p[0] - xa) / (xb - xa)),
                                f(plotBottom - plotH * (p[1] - ya) / (yb - ya)), color(s)));
                    }
                }
            }
            legend.draw(sb);
            return sb.append("</svg>").toString();
        }
    }

    /**
     * A grid of values in [0, 1] (e.g. accuracy by length × position): one cell per row and column,
     * shaded from white (0) to the first series colour (1), its value printed in it; NaN cells are
     * grey and read {@code missing}.
     */
    public static String heatMap(String title, List<String> rowLabels, List<String> columnLabels, double[][] values, String missing) {
        double left = 12 + rowLabels.stream().mapToDouble(l -> textWidth(l, 11)).max().orElse(0), top = 44, cw = 64, ch = 26;
        double width = Math.max(left + cw * columnLabels.size() + 12, textWidth(title, 13) + 10);
        StringBuilder sb = open(width, top + ch * rowLabels.size() + 8, title);
        for (int c = 0; c < columnLabels.size(); c++) {
            sb.append(String.format(Locale.ROOT, "<text x='%s' y='%s' font-size='11' text-anchor='middle'>%s</text>",
                    f(left + cw * c + cw / 2), f(top - 6), Html.esc(columnLabels.get(c))));
        }
        int[] rgb = {0x4e, 0x79, 0xa7};
        for (int r = 0; r < rowLabels.size(); r++) {
            double y = top + ch * r;
            sb.append(String.format(Locale.ROOT, "<text x='%s' y='%s' font-size='11' text-anchor='end'>%s</text>", f(left - 4), f(y + ch / 2 + 4),
                    Html.esc(rowLabels.get(r))));
            for (int c = 0; c < columnLabels.size(); c++) {
                double v = values[r][c];
                String fill, label;
                if (Double.isNaN(v)) {
                    fill = "#ddd";
                    label = missing;
                } else {
                    double t = Math.max(0, Math.min(1, v));
                    fill = String.format(Locale.ROOT, "#%02x%02x%02x", (int) Math.round(255 + (rgb[0] - 255) * t),
                            (int) Math.round(255 + (rgb[1] - 255) * t), (int) Math.round(255 + (rgb[2] - 255) * t));
                    label = Ticks.value(100 * v, false) + "%";
                }
                double x = left + cw * c;
                sb.append(String.format(Locale.ROOT, "<rect x='%s' y='%s' width='%s' height='%s' fill='%s' stroke='#fff'><title>%s</title></rect>",
                        f(x), f(y), f(cw), f(ch), fill, Html.esc(rowLabels.get(r) + ", " + columnLabels.get(c) + ": " + label)));
                sb.append(String.format(Locale.ROOT, "<text x='%s' y='%s' font-size='11' text-anchor='middle' fill='%s'>%s</text>",
                        f(x + cw / 2), f(y + ch / 2 + 4), !Double.isNaN(v) && v > 0.6 ? "#fff" : "#222", Html.esc(label)));
            }
        }
        return sb.append("</svg>").toString();
    }

    private static StringBuilder open(double width, double height, String title) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' role='img' font-family='system-ui,sans-serif'>",
                (int) Math.ceil(width), (int) Math.ceil(height)));
        sb.append("<title>").append(Html.esc(title)).append("</title>");
        return sb.append("<text x='4' y='16' font-size='13' font-weight='bold'>").append(Html.esc(title)).append("</text>");
    }

    /** Swatch + name per series, wrapped onto as many rows as the width needs. */
    private static final class Legend {
        private final List<String> names;
        private final List<double[]> at = new ArrayList<>();
        private final double bottom;

        Legend(List<String> names, double width, double top) {
            this.names = names;
            double x = 8, y = top;
            for (String n : names) {
                double w = 14 + textWidth(n, 11) + 16;
                if (x > 8 && x + w > width) {
                    x = 8;
                    y += 16;
                }
                at.add(new double[] {x, y});
                x += w;
            }
            this.bottom = names.isEmpty() ? top - 12 : y + 4;
        }

        double bottom() { return bottom; }

        /** The width the longest entry needs: a chart narrower than that cut the name off ("plus (base +"). */
        static double minWidth(List<String> names) {
            double w = 0;
            for (String n : names) w = Math.max(w, 8 + 14 + textWidth(n, 11) + 8);
            return w;
        }

        void draw(StringBuilder sb) {
            for (int i = 0; i < names.size(); i++) {
                double x = at.get(i)[0], y = at.get(i)[1];
                sb.append(String.format(Locale.ROOT, "<rect x='%s' y='%s' width='10' height='10' fill='%s'/><text x='%s' y='%s' font-size='11'>%s</text>",
                        f(x), f(y - 9), color(i), f(x + 14), f(y), Html.esc(names.get(i))));
            }
        }
    }

    /** Round-number axis ticks and their labels. */
    static final class Ticks {
        private Ticks() {}

        /** About {@code count} ticks covering [lo, hi] at a step of 1, 2 or 5 times a power of ten. */
        static double[] nice(double lo, double hi, int count) {
            if (!Double.isFinite(lo) || !Double.isFinite(hi)) { lo = 0; hi = 1; }
            // A flat series (a constant learning rate) or a range below double resolution at this
            // magnitude would give a zero step: widen it so the ticks stay distinct.
            if (!(hi - lo > Math.abs(lo) * 1e-9)) hi = lo + (lo == 0 ? 1 : Math.abs(lo));
            double raw = (hi - lo) / Math.max(1, count - 1);
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double step = mag * (raw / mag <= 1 ? 1 : raw / mag <= 2 ? 2 : raw / mag <= 5 ? 5 : 10);
            double start = Math.floor(lo / step) * step, end = Math.ceil(hi / step) * step;
            int n = (int) Math.round((end - start) / step) + 1;
            double[] t = new double[Math.max(2, n)];
            for (int i = 0; i < t.length; i++) t[i] = start + i * step;
            return t;
        }

        /**
         * Labels for evenly spaced ticks, all with the decimals their step needs (0.5, 1.0, 1.5 —
         * not 0.5, 1, 1.5; a learning rate's 0.00005 is not rounded to 0.0001): tiny values are
         * written with a common power of ten (0.5e-4, 1e-4, 1.5e-4).
         */
        static String[] labels(double[] ticks) {
            String[] out = new String[ticks.length];
            double step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1;
            double maxAbs = 0;
            for (double t : ticks) maxAbs = Math.max(maxAbs, Math.abs(t));
            int exp = 0;
            if (maxAbs > 0 && maxAbs < 1e-2) {
                exp = (int) Math.floor(Math.log10(maxAbs));
                step /= Math.pow(10, exp);
            }
            // Capped: a zero or non-finite step would ask Formatter for billions of digits.
            int decimals = !(step > 0) || !Double.isFinite(step) || step >= 1 ? 0
                    : Math.min(12, (int) Math.ceil(-Math.log10(step) - 1e-9));
            for (int i = 0; i < ticks.length; i++) {
                double v = ticks[i] / Math.pow(10, exp);
                String s = String.format(Locale.ROOT, "%." + decimals + "f", Math.abs(v) < 1e-12 ? 0.0 : v);
                out[i] = exp == 0 ? s : Math.abs(v) < 1e-12 ? "0" : trim(s) + "e" + exp;
            }
            return out;
        }

        static String label(double v, boolean percent) {
            String s = Math.abs(v - Math.rint(v)) < 1e-9 ? Long.toString(Math.round(v)) : trim(String.format(Locale.ROOT, "%.4f", v));
            return percent ? s + "%" : s;
        }

        /** A bar's value: one decimal (percent values too), integers without one. */
        static String value(double v, boolean percent) {
            String s = Math.abs(v - Math.rint(v)) < 1e-9 && !percent ? Long.toString(Math.round(v)) : String.format(Locale.ROOT, "%.1f", v);
            return percent ? s + "%" : s;
        }

        private static String trim(String s) {
            return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        }
    }
}
