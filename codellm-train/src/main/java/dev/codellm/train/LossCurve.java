package dev.codellm.train;

import dev.codellm.core.report.Html;
import dev.codellm.core.report.SvgChart;
import java.nio.file.Path;
import java.util.List;

/** loss.html: the train and held-out loss curves on one page (core's chart helper; no scripts, no network). */
public final class LossCurve {
    private LossCurve() {}

    /** Points are (step, loss). */
    public static void write(Path html, String title, List<double[]> train, List<double[]> heldOut) {
        String chart = SvgChart.lines(title).series("train loss (nats/token)", train).series("held-out loss", heldOut)
                .xLabel("optimizer step").yLabel("loss (nats/token)").svg();
        Html.write(html, title, "<h2>" + Html.esc(title) + "</h2>" + chart);
    }
}
