package dev.codellm.eval.keyretrieval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import dev.codellm.core.report.Html;
import dev.codellm.core.report.SvgChart;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Key-retrieval accuracy by length × position ({@code correct[l][p]} of {@code total[l][p]}
 * samples), as {@code key_retrieval.json} holds it and {@code report.html} shows it.
 */
public record KeyRetrievalScore(String model, List<Integer> lengths, List<Double> positions, int[][] correct, int[][] total,
                                List<String> failures) {
    public static final String FILE = "key_retrieval.json";

    public double accuracy(int l, int p) {
        return total[l][p] == 0 ? Double.NaN : (double) correct[l][p] / total[l][p];
    }

    public double overall() {
        long c = 0, t = 0;
        for (int l = 0; l < lengths.size(); l++) {
            for (int p = 0; p < positions.size(); p++) {
                c += correct[l][p];
                t += total[l][p];
            }
        }
        return t == 0 ? Double.NaN : (double) c / t;
    }

    public double[][] accuracies() {
        double[][] a = new double[lengths.size()][positions.size()];
        for (int l = 0; l < lengths.size(); l++) for (int p = 0; p < positions.size(); p++) a[l][p] = accuracy(l, p);
        return a;
    }

    public List<String> rowLabels() {
        return lengths.stream().map(n -> KeyRetrievalGrid.lengthLabel(n) + " tokens").toList();
    }

    public List<String> columnLabels() {
        return positions.stream().map(p -> String.format(Locale.ROOT, "pos %.2f", p)).toList();
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("model", model);
        o.put("accuracy", overall());
        lengths.forEach(o.putArray("lengths")::add);
        positions.forEach(o.putArray("positions")::add);
        ArrayNode cells = o.putArray("cells");
        for (int l = 0; l < lengths.size(); l++) {
            for (int p = 0; p < positions.size(); p++) {
                cells.addObject().put("length", lengths.get(l)).put("position", positions.get(p)).put("correct", correct[l][p])
                        .put("total", total[l][p]).put("accuracy", accuracy(l, p));
            }
        }
        return o;
    }

    public static KeyRetrievalScore read(Path dir) {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) throw new CodellmException(dir + " is not a key-retrieval run (no " + FILE + ")");
        JsonNode j = Json.read(f);
        List<Integer> lengths = new ArrayList<>();
        j.path("lengths").forEach(n -> lengths.add(n.asInt()));
        List<Double> positions = new ArrayList<>();
        j.path("positions").forEach(n -> positions.add(n.asDouble()));
        int[][] c = new int[lengths.size()][positions.size()], t = new int[lengths.size()][positions.size()];
        for (JsonNode cell : j.path("cells")) {
            int l = lengths.indexOf(cell.path("length").asInt()), p = positions.indexOf(cell.path("position").asDouble());
            if (l < 0 || p < 0) throw new CodellmException(f + ": a cell outside its lengths/positions");
            c[l][p] = cell.path("correct").asInt();
            t[l][p] = cell.path("total").asInt();
        }
        return new KeyRetrievalScore(j.path("model").asText(), lengths, positions, c, t, List.of());
    }

    /** key_retrieval.json and report.html (heat map, table, the failed samples). */
    public void write(Path dir) {
        Json.write(dir.resolve(FILE), toJson());
        StringBuilder body = new StringBuilder(Html.heading("Key retrieval: " + model));
        body.append(Html.paragraph(String.format(Locale.ROOT, "Overall accuracy %.1f%% (exact match of the asserted integer, greedy).", 100 * overall())));
        body.append(SvgChart.heatMap("Accuracy by file length (tokens) and position of the key function", rowLabels(), columnLabels(), accuracies(), "–"));
        List<List<String>> rows = new ArrayList<>();
        for (int l = 0; l < lengths.size(); l++) {
            List<String> r = new ArrayList<>(List.of(rowLabels().get(l)));
            for (int p = 0; p < positions.size(); p++) r.add(correct[l][p] + "/" + total[l][p]);
            rows.add(r);
        }
        List<String> heads = new ArrayList<>(List.of("length"));
        heads.addAll(columnLabels());
        body.append(Html.table(heads, rows));
        if (!failures.isEmpty()) {
            body.append(Html.heading("Wrong answers"));
            body.append(Html.table(List.of("task", "expected", "completion"), failures.stream().map(s -> List.of(s.split("\t", 3))).toList()));
        }
        Html.write(dir.resolve("report.html"), "key retrieval " + model, body.toString());
    }

    /** What the CLI prints. */
    public String text(Path dir) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s on key-retrieval: accuracy %.1f%%%n", model, 100 * overall()));
        sb.append(String.format(Locale.ROOT, "  %-14s", "length"));
        columnLabels().forEach(c -> sb.append(String.format(Locale.ROOT, "%10s", c)));
        sb.append('\n');
        for (int l = 0; l < lengths.size(); l++) {
            sb.append(String.format(Locale.ROOT, "  %-14s", rowLabels().get(l)));
            for (int p = 0; p < positions.size(); p++) sb.append(String.format(Locale.ROOT, "%10s", correct[l][p] + "/" + total[l][p]));
            sb.append('\n');
        }
        return sb.append("  report: ").append(dir.resolve("report.html")).append('\n').toString();
    }
}
