package dev.codellm.model.perplexity;

import dev.codellm.core.report.Html;
import dev.codellm.core.report.SvgChart;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Perplexity over a set of texts: the totals, each text's own figure, and the mean NLL by
 * position bucket (the Code Llama paper's long-context figure: where the model stops using its
 * context). {@code stderr} is llama-perplexity's "+/-": ppl × √(var(nll) / (n−1)).
 */
public record PerplexityResult(String model, PerplexityMethod method, int ctx, int stride, List<FileScore> files,
                               long scored, double meanNll, double ppl, double stderr, List<Bucket> byPosition,
                               long tokensProcessed, double seconds) {

    public record FileScore(String name, int tokens, int scored, double meanNll, double ppl) {}

    /** Scored tokens whose position in their window lies in [from, to). */
    public record Bucket(int from, int to, long tokens, double meanNll, double ppl) {}

    /** Folds per-text scores into the result; {@code bucket} is the width of the position buckets. */
    public static PerplexityResult of(String model, PerplexityMethod method, int ctx, int stride, List<String> names, List<Integer> tokenCounts,
                                      List<TokenScores> scores, int bucket, long tokensProcessed, double seconds) {
        List<FileScore> files = new ArrayList<>();
        int nb = (ctx + bucket - 1) / bucket;
        double[] bSum = new double[nb];
        long[] bCount = new long[nb];
        double sum = 0, sum2 = 0;
        long count = 0;
        for (int f = 0; f < scores.size(); f++) {
            TokenScores s = scores.get(f);
            double fs = 0;
            for (int i = 0; i < s.count(); i++) {
                double v = s.nll()[i];
                fs += v;
                sum2 += v * v;
                int b = Math.min(nb - 1, s.position()[i] / bucket);
                bSum[b] += v;
                bCount[b]++;
            }
            sum += fs;
            count += s.count();
            double m = s.count() == 0 ? Double.NaN : fs / s.count();
            files.add(new FileScore(names.get(f), tokenCounts.get(f), s.count(), m, Math.exp(m)));
        }
        List<Bucket> buckets = new ArrayList<>();
        for (int b = 0; b < nb; b++) {
            if (bCount[b] == 0) continue;
            double m = bSum[b] / bCount[b];
            buckets.add(new Bucket(b * bucket, Math.min(ctx, (b + 1) * bucket), bCount[b], m, Math.exp(m)));
        }
        double mean = count == 0 ? Double.NaN : sum / count;
        double ppl = Math.exp(mean);
        double var = count == 0 ? 0 : sum2 / count - mean * mean;
        double stderr = var > 0 && count > 1 ? Math.sqrt(var / (count - 1)) * ppl : 0;
        return new PerplexityResult(model, method, ctx, stride, files, count, mean, ppl, stderr, buckets, tokensProcessed, seconds);
    }

    /** Tokens through the model per second (the figure to compare with llama-perplexity's prompt eval rate). */
    public double tokensPerSecond() { return seconds > 0 ? tokensProcessed / seconds : 0; }

    /** The JSON document ({@code perplexity.json}); by_position only when asked for. */
    public Map<String, Object> toJson(boolean withBuckets) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("model", model);
        d.put("method", method.cliName());
        d.put("ctx", ctx);
        if (method == PerplexityMethod.SLIDING) d.put("stride", stride);
        d.put("tokens_scored", scored);
        d.put("mean_nll", mean(meanNll));
        d.put("ppl", mean(ppl));
        d.put("ppl_stderr", stderr);
        d.put("tokens_processed", tokensProcessed);
        d.put("seconds", seconds);
        d.put("tokens_per_second", tokensPerSecond());
        List<Map<String, Object>> fs = new ArrayList<>();
        for (FileScore f : files) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", f.name());
            m.put("tokens", f.tokens());
            m.put("tokens_scored", f.scored());
            m.put("mean_nll", mean(f.meanNll()));
            m.put("ppl", mean(f.ppl()));
            fs.add(m);
        }
        d.put("files", fs);
        if (withBuckets) {
            List<Map<String, Object>> bs = new ArrayList<>();
            for (Bucket b : byPosition) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("from", b.from());
                m.put("to", b.to());
                m.put("tokens", b.tokens());
                m.put("mean_nll", b.meanNll());
                m.put("ppl", b.ppl());
                bs.add(m);
            }
            d.put("by_position", bs);
        }
        return d;
    }

    private static Object mean(double v) { return Double.isFinite(v) ? v : null; }

    /** The by-position page: the plot of mean NLL per bucket and its table. */
    public void writeHtml(Path file) {
        List<double[]> pts = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        for (Bucket b : byPosition) {
            pts.add(new double[] {(b.from() + b.to()) / 2.0, b.meanNll()});
            rows.add(List.of(b.from() + "–" + b.to(), Long.toString(b.tokens()), fmt(b.meanNll()), fmt(b.ppl())));
        }
        String svg = SvgChart.lines("Mean negative log-likelihood by position in the window")
                .series(model, pts).xLabel("token position").yLabel("mean NLL (nats)").svg();
        String body = Html.heading("Perplexity of " + model) + Html.paragraph(String.format(Locale.ROOT,
                "method %s, ctx %d%s: %d tokens scored, PPL %.4f ± %.5f, mean NLL %.4f", method.cliName(), ctx,
                method == PerplexityMethod.SLIDING ? ", stride " + stride : "", scored, ppl, stderr, meanNll))
                + svg + Html.table(List.of("positions", "tokens", "mean NLL", "PPL"), rows);
        Html.write(file, "perplexity " + model, body);
    }

    private static String fmt(double v) { return String.format(Locale.ROOT, "%.4f", v); }
}
