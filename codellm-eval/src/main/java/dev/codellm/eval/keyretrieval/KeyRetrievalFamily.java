package dev.codellm.eval.keyretrieval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.io.Json;
import dev.codellm.core.report.Html;
import dev.codellm.core.report.SvgChart;
import dev.codellm.eval.run.BenchmarkFamily;
import dev.codellm.eval.run.BenchmarkSuite;
import dev.codellm.eval.run.EvalOptions;
import dev.codellm.eval.run.EvalOutcome;
import dev.codellm.eval.run.RunComparison;
import dev.codellm.eval.sandbox.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/** {@code --dataset key-retrieval[/LENGTHS][:FILES]}: one {@link KeyRetrievalBenchmark}, no sandbox (nothing is executed). */
public final class KeyRetrievalFamily implements BenchmarkFamily {
    @Override
    public String name() { return "key retrieval"; }

    @Override
    public String datasetsHelp() { return "key-retrieval[/4k,16k,...][:FILES]"; }

    @Override
    public boolean accepts(String dataset) { return KeyRetrievalGrid.accepts(dataset); }

    @Override
    public BenchmarkSuite<KeyRetrievalScore> open(EvalOptions o, Supplier<Sandbox> sandbox) {
        KeyRetrievalBenchmark b = new KeyRetrievalBenchmark(KeyRetrievalGrid.parse(o.dataset()), o);
        return new BenchmarkSuite<>() {
            @Override
            public List<KeyRetrievalBenchmark> parts() { return List.of(b); }

            @Override
            public EvalOutcome summarize(List<KeyRetrievalScore> scores, String model, Path out) {
                return new EvalOutcome(scores.get(0).text(out), scores.get(0).toJson());
            }
        };
    }

    @Override
    public boolean isRun(Path dir) { return Files.isRegularFile(dir.resolve(KeyRetrievalScore.FILE)); }

    @Override
    public RunComparison compare(List<Path> runs) {
        List<KeyRetrievalScore> scores = runs.stream().map(KeyRetrievalScore::read).toList();
        return new RunComparison() {
            @Override
            public String text() {
                StringBuilder sb = new StringBuilder("key retrieval: accuracy per run (all cells, then each length)\n");
                for (int i = 0; i < scores.size(); i++) {
                    KeyRetrievalScore s = scores.get(i);
                    sb.append(String.format(Locale.ROOT, "  %-30s %6.1f%%", runs.get(i) + " (" + s.model() + ")", 100 * s.overall()));
                    for (int l = 0; l < s.lengths().size(); l++) {
                        int c = 0, t = 0;
                        for (int p = 0; p < s.positions().size(); p++) {
                            c += s.correct()[l][p];
                            t += s.total()[l][p];
                        }
                        sb.append(String.format(Locale.ROOT, "  %s %d/%d", KeyRetrievalGrid.lengthLabel(s.lengths().get(l)), c, t));
                    }
                    sb.append('\n');
                }
                return sb.toString();
            }

            @Override
            public JsonNode json() {
                ObjectNode root = Json.MAPPER.createObjectNode();
                ArrayNode arr = root.putArray("runs");
                for (int i = 0; i < scores.size(); i++) arr.addObject().put("run", runs.get(i).toString()).setAll(scores.get(i).toJson());
                return root;
            }

            @Override
            public void writeHtml(Path file) {
                StringBuilder body = new StringBuilder(Html.heading("Key retrieval compared"));
                for (int i = 0; i < scores.size(); i++) {
                    KeyRetrievalScore s = scores.get(i);
                    body.append(SvgChart.heatMap(String.format(Locale.ROOT, "%s (%s): %.1f%%", runs.get(i), s.model(), 100 * s.overall()),
                            s.rowLabels(), s.columnLabels(), s.accuracies(), "–"));
                }
                Html.write(file, "key retrieval compared", body.toString());
            }
        };
    }
}
