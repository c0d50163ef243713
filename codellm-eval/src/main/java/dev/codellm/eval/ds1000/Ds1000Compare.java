package dev.codellm.eval.ds1000;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import dev.codellm.core.report.Html;
import dev.codellm.eval.run.RunComparison;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** {@code codellm eval compare} of DS-1000 runs: the Magicoder-layout table with one row per run and the published rows. */
public final class Ds1000Compare implements RunComparison {
    private final List<Ds1000Table.Row> rows;

    private Ds1000Compare(List<Ds1000Table.Row> rows) {
        this.rows = List.copyOf(rows);
    }

    public static Ds1000Compare of(List<Path> dirs) {
        Set<String> used = new HashSet<>();
        List<Ds1000Table.Row> rows = new ArrayList<>();
        for (Path d : dirs) {
            if (!Files.isRegularFile(d.resolve(Ds1000Score.FILE))) {
                throw new CodellmException("cannot read " + d.resolve(Ds1000Score.FILE) + " (is " + d + " a finished DS-1000 run?)");
            }
            Ds1000Score s = Ds1000Score.read(d);
            String base = (s.model() == null ? "" : s.model() + " ") + "(" + d.toAbsolutePath().normalize().getFileName() + ")";
            String label = base;
            for (int i = 2; !used.add(label); i++) label = base + " #" + i;
            rows.add(new Ds1000Table.Row(label, s));
        }
        return new Ds1000Compare(rows);
    }

    @Override
    public String text() {
        return Ds1000Table.text(rows);
    }

    /** Per run its cells and pass@1 values (null where a cell has no score), then the published rows. */
    @Override
    public JsonNode json() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        Ds1000Table.heads().forEach(root.putArray("columns")::add);
        ArrayNode runs = root.putArray("runs");
        for (Ds1000Table.Row r : rows) {
            ObjectNode o = runs.addObject().put("label", r.label()).put("dataset", r.score().dataset())
                    .put("scoreable", r.score().overall().scoreable()).put("problems", r.score().overall().problems());
            Ds1000Table.cells(r.score()).forEach(o.putArray("cells")::add);
            ArrayNode v = o.putArray("pass@1");
            for (double x : Ds1000Table.values(r.score())) {
                if (Double.isNaN(x)) v.addNull();
                else v.add(x);
            }
        }
        ArrayNode pub = root.putArray("published");
        for (Ds1000Table.Published p : Ds1000Table.PUBLISHED) {
            ObjectNode o = pub.addObject().put("label", p.label()).put("source", p.source());
            for (double x : p.values()) o.withArray("pass@1").add(x / 100);
        }
        Ds1000Table.notes(rows).forEach(root.putArray("notes")::add);
        return root;
    }

    @Override
    public void writeHtml(Path file) {
        Html.write(file, "codellm eval compare: DS-1000", "<h1>codellm eval compare: DS-1000</h1>" + Html.heading("pass@1 (%), Magicoder paper layout")
                + Ds1000Table.html(rows) + Ds1000Table.chart(rows));
    }
}
