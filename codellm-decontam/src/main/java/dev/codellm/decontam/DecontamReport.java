package dev.codellm.decontam;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.Serializable;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts of one run, mergeable (per chunk, per thread, per Spark partition) so every way of
 * running produces the same figures. Task counts say how many removed records matched each task.
 */
public final class DecontamReport implements Serializable {
    private static final long serialVersionUID = 1L;

    public long records;
    public long clean;
    public long removed;
    public long blank;
    public long bytes;
    public final TreeMap<String, Long> skipped = new TreeMap<>();
    /** First example per skip reason, e.g. "line 17: Unexpected character ...". */
    public final TreeMap<String, String> skippedExample = new TreeMap<>();
    public final TreeMap<String, Long> tasks = new TreeMap<>();

    /** Counts one decision; {@code where} names the line for skip examples. */
    public void add(Decision d, long lineBytes, String where) {
        bytes += lineBytes;
        switch (d.kind()) {
            case BLANK -> blank++;
            case CLEAN -> { records++; clean++; }
            case REMOVED -> {
                records++;
                removed++;
                for (String l : d.matched()) tasks.merge(l, 1L, Long::sum);
            }
            case SKIPPED -> skip(d.reason(), where + ": " + d.detail());
        }
    }

    /** A record that could not even be turned into a line (binary file, oversized line...). */
    public void skip(String reason, String example) {
        skipped.merge(reason, 1L, Long::sum);
        skippedExample.putIfAbsent(reason, example);
    }

    public DecontamReport merge(DecontamReport o) {
        records += o.records;
        clean += o.clean;
        removed += o.removed;
        blank += o.blank;
        bytes += o.bytes;
        o.skipped.forEach((k, v) -> skipped.merge(k, v, Long::sum));
        o.skippedExample.forEach(skippedExample::putIfAbsent);
        o.tasks.forEach((k, v) -> tasks.merge(k, v, Long::sum));
        return this;
    }

    public long skippedTotal() {
        return skipped.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * The report.json text: method and parameters, counts, skip reasons, and per benchmark task
     * the number of removed records that matched it. {@code extra} (timings, input path) is
     * written first, as given.
     */
    public String toJson(Method method, Map<String, Object> extra) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w).useDefaultPrettyPrinter()) {
            g.writeStartObject();
            for (Map.Entry<String, Object> e : extra.entrySet()) writeValue(g, e.getKey(), e.getValue());
            g.writeStringField("method", method.name());
            g.writeObjectFieldStart("method_params");
            for (Map.Entry<String, Object> e : method.describe().entrySet()) writeValue(g, e.getKey(), e.getValue());
            g.writeEndObject();
            g.writeNumberField("benchmark_tasks", method.tasks().size());
            g.writeNumberField("records", records);
            g.writeNumberField("clean", clean);
            g.writeNumberField("removed", removed);
            g.writeNumberField("skipped", skippedTotal());
            g.writeNumberField("blank_lines", blank);
            g.writeNumberField("input_bytes", bytes);
            g.writeObjectFieldStart("skipped_by_reason");
            for (Map.Entry<String, Long> e : skipped.entrySet()) g.writeNumberField(e.getKey(), e.getValue());
            g.writeEndObject();
            g.writeObjectFieldStart("skipped_examples");
            for (Map.Entry<String, String> e : skippedExample.entrySet()) g.writeStringField(e.getKey(), e.getValue());
            g.writeEndObject();
            g.writeObjectFieldStart("removed_by_task");
            for (Map.Entry<String, Long> e : tasks.entrySet()) g.writeNumberField(e.getKey(), e.getValue());
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString() + "\n";
    }

    private static void writeValue(JsonGenerator g, String k, Object v) throws IOException {
        if (v == null) g.writeNullField(k);
        else if (v instanceof Integer || v instanceof Long) g.writeNumberField(k, ((Number) v).longValue());
        else if (v instanceof Number n) g.writeNumberField(k, n.doubleValue());
        else if (v instanceof Boolean b) g.writeBooleanField(k, b);
        else g.writeStringField(k, v.toString());
    }
}
