package dev.codellm.train;

import dev.codellm.core.report.Html;
import dev.codellm.core.report.SvgChart;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * loss.html: the train loss (raw, pale, under its smoothed line), the held-out loss, and the
 * learning-rate schedule on a second chart with the same steps (core's chart helper; no scripts,
 * no network).
 */
public final class LossCurve {
    private LossCurve() {}

    /** Points are (step, loss) and (step, learning rate); {@code lr} may be empty. */
    public static void write(Path html, String title, List<double[]> train, List<double[]> heldOut, List<double[]> lr) {
        double w = smoothing(train.size());
        SvgChart.Lines loss = SvgChart.lines(title).xLabel("optimizer step").yLabel("loss (nats/token)");
        if (w > 0) {
            loss.faintSeries("train loss (nats/token)", train)
                    .series(String.format(Locale.ROOT, "train loss, smoothed (EMA %.2f)", w), smooth(train, w));
        } else {
            loss.series("train loss (nats/token)", train);
        }
        loss.series("held-out loss", heldOut);
        StringBuilder body = new StringBuilder("<h2>").append(Html.esc(title)).append("</h2>").append(loss.svg());
        if (!lr.isEmpty()) {
            body.append(SvgChart.lines("Learning rate").series("learning rate", lr).xLabel("optimizer step").yLabel("learning rate").svg());
        }
        Html.write(html, title, body.toString());
    }

    /**
     * The EMA weight for a run of n steps: none under 20 steps (nothing to smooth), then growing
     * with the run so a 400-step curve is as readable as a 40-step one (0.5 at 20, 0.95 from 200).
     */
    static double smoothing(int n) {
        return n < 20 ? 0 : Math.min(0.95, 1 - 10.0 / n);
    }

    /** TensorBoard's smoothing: an exponential moving average, debiased so it starts at the first value. */
    static List<double[]> smooth(List<double[]> points, double w) {
        List<double[]> out = new ArrayList<>(points.size());
        double ema = 0, norm = 0;
        for (double[] p : points) {
            if (!Double.isFinite(p[1])) continue;
            ema = w * ema + (1 - w) * p[1];
            norm = w * norm + (1 - w);
            out.add(new double[] {p[0], ema / norm});
        }
        return out;
    }
}
