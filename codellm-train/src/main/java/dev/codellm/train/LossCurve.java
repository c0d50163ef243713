package dev.codellm.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** A self-contained HTML page with the loss curves as inline SVG (no scripts, no network). */
public final class LossCurve {
    private LossCurve() {}

    /** Points are (step, loss). */
    public static void write(Path html, String title, List<double[]> train, List<double[]> heldOut) throws IOException {
        int w = 800, h = 400, pad = 50;
        double maxStep = 1, lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
        for (List<double[]> s : List.of(train, heldOut)) for (double[] p : s) {
            maxStep = Math.max(maxStep, p[0]);
            lo = Math.min(lo, p[1]);
            hi = Math.max(hi, p[1]);
        }
        if (lo > hi) { lo = 0; hi = 1; }
        if (hi - lo < 1e-9) hi = lo + 1;
        StringBuilder sb = new StringBuilder();
        sb.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title></head><body>")
          .append("<h2>").append(esc(title)).append("</h2>")
          .append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">", w, h))
          .append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>", pad, pad / 2, w - 2 * pad, h - pad - pad / 2));
        for (int i = 0; i <= 4; i++) {
            double v = lo + (hi - lo) * i / 4;
            double y = yOf(v, lo, hi, h, pad);
            sb.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%.1f\">%.2f</text>", y + 4, v));
            double s = maxStep * i / 4;
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%d</text>", xOf(s, maxStep, w, pad) - 10, h - pad / 2 + 12, Math.round(s)));
        }
        sb.append(polyline(train, maxStep, lo, hi, w, h, pad, "#1f77b4"));
        sb.append(polyline(heldOut, maxStep, lo, hi, w, h, pad, "#d62728"));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#1f77b4\">train loss (nats/token)</text>", pad + 10, pad / 2 + 16));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#d62728\">held-out loss</text>", pad + 10, pad / 2 + 32));
        sb.append("</svg><p>x: optimizer step</p></body></html>\n");
        Files.writeString(html, sb.toString());
    }

    private static String polyline(List<double[]> pts, double maxStep, double lo, double hi, int w, int h, int pad, String color) {
        if (pts.isEmpty()) return "";
        StringBuilder sb = new StringBuilder("<polyline fill=\"none\" stroke=\"" + color + "\" stroke-width=\"1.5\" points=\"");
        for (double[] p : pts) sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", xOf(p[0], maxStep, w, pad), yOf(p[1], lo, hi, h, pad)));
        return sb.append("\"/>").toString();
    }

    private static double xOf(double step, double maxStep, int w, int pad) { return pad + (w - 2 * pad) * step / maxStep; }
    private static double yOf(double v, double lo, double hi, int h, int pad) { return pad / 2.0 + (h - pad - pad / 2.0) * (1 - (v - lo) / (hi - lo)); }
    private static String esc(String s) { return s.replace("&", "&amp;").replace("<", "&lt;"); }
}
