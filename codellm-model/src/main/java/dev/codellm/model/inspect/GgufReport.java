package dev.codellm.model.inspect;

import dev.codellm.model.gguf.*;
import dev.codellm.core.io.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a GGUF file for people ({@link #text}) and for programs ({@link #json}): summary,
 * metadata (long arrays cut to their first {@code maxItems} items, with the full length) and the
 * tensor table. Used by {@code codellm inspect}.
 */
public final class GgufReport {
    private GgufReport() {}

    private static final int MAX_TEXT = 120;

    public static String json(GgufFile f, int maxItems) {
        GgufSummary s = GgufSummary.of(f);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("summary", s);
        root.put("supports_infill", s.supportsInfill());
        Map<String, Object> meta = new LinkedHashMap<>();
        f.entries().forEach((k, v) -> meta.put(k, jsonValue(v, maxItems)));
        root.put("metadata", meta);
        List<Map<String, Object>> tensors = new ArrayList<>();
        for (GgufTensor t : f.tensors()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", t.name());
            m.put("type", t.type().name());
            m.put("shape", t.shape());
            m.put("elements", t.elementCount());
            m.put("bytes", t.byteSize());
            m.put("offset", f.dataOffset() + t.offset());
            tensors.add(m);
        }
        root.put("tensors", tensors);
        try {
            // core's mapper, copied to name record fields in snake_case like every other JSON the CLI
            // prints (metadata keys are the file's own); copied so the shared one keeps Jackson's names
            return Json.MAPPER.copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                    .enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> jsonValue(GgufValue v, int maxItems) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", v.typeName());
        if (v.type() != GgufValueType.ARRAY) {
            m.put("value", v.type() == GgufValueType.UINT64 ? Long.toUnsignedString((Long) v.value()) : v.value());
            return m;
        }
        m.put("length", v.length());
        List<Object> items = items(v, maxItems);
        if (v.elementType() == GgufValueType.ARRAY) items.replaceAll(o -> jsonValue((GgufValue) o, maxItems));
        m.put(v.length() > maxItems ? "head" : "value", items);
        return m;
    }

    /** The first {@code max} items of an array value, boxed. */
    private static List<Object> items(GgufValue v, int max) {
        int n = Math.min(max, v.length());
        List<Object> out = new ArrayList<>(n);
        Object a = v.value();
        for (int i = 0; i < n; i++) {
            out.add(switch (a) {
                case int[] x -> x[i];
                case long[] x -> v.elementType() == GgufValueType.UINT64 ? Long.toUnsignedString(x[i]) : x[i];
                case float[] x -> x[i];
                case double[] x -> x[i];
                case boolean[] x -> x[i];
                case List<?> l -> l.get(i);
                default -> throw new IllegalStateException(String.valueOf(a));
            });
        }
        return out;
    }

    public static String text(GgufFile f, int maxItems, boolean showTensors) {
        GgufSummary s = GgufSummary.of(f);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s: GGUF v%d, %,d bytes, %d metadata keys, %d tensors, alignment %d%n",
                s.file(), s.ggufVersion(), s.fileBytes(), s.metadataCount(), s.tensorCount(), s.alignment()));
        b.append("\nSummary\n");
        row(b, "architecture", s.architecture());
        row(b, "name", s.name());
        row(b, "file type", s.fileType() == null ? null : s.fileType() + " (" + s.fileTypeName() + ")");
        row(b, "parameters", s.tensorCount() == 0 ? null : String.format(Locale.ROOT, "%,d (%s)", s.parameters(), human(s.parameters())));
        row(b, "tensor types", s.tensorTypes().isEmpty() ? null : s.tensorTypes().toString());
        row(b, "layers", s.layers());
        row(b, "embedding length", s.embeddingLength());
        row(b, "feed-forward length", s.feedForwardLength());
        row(b, "heads", s.heads());
        row(b, "kv heads", s.kvHeads());
        row(b, "head dim", s.headDim());
        row(b, "context length", s.contextLength());
        row(b, "rope freq base (theta)", s.ropeFreqBase() == null ? ("llama".equals(s.architecture()) ? "not set (llama default 10000)" : null) : s.ropeFreqBase());
        row(b, "rope dimensions", s.ropeDimensions());
        row(b, "rms norm epsilon", s.rmsEpsilon());
        row(b, "vocab size", s.vocabSize());
        row(b, "tokenizer", s.tokenizerModel() == null ? null : s.tokenizerModel() + (s.tokenizerPre() == null ? "" : " (pre: " + s.tokenizerPre() + ")"));
        row(b, "chat template", s.hasChatTemplate() ? "yes" : "no");
        for (GgufSummary.SpecialToken t : s.specialTokens())
            row(b, "token " + t.role(), t.id() + (t.text() == null ? "" : " " + quote(t.text())) + "  [" + t.source() + "]");
        row(b, "end of generation", endOfGeneration(f, s));
        row(b, "infill (FIM)", s.supportsInfill() ? "yes" : "no");

        b.append("\nMetadata\n");
        int keyWidth = f.entries().keySet().stream().mapToInt(String::length).max().orElse(0);
        f.entries().forEach((k, v) -> b.append(String.format(Locale.ROOT, "  %-" + keyWidth + "s  %-16s %s%n", k, v.typeName(), describe(v, maxItems))));

        if (showTensors && !f.tensors().isEmpty()) {
            b.append("\nTensors\n");
            int nameWidth = Math.max(4, f.tensors().stream().mapToInt(t -> t.name().length()).max().orElse(0));
            b.append(String.format(Locale.ROOT, "  %-" + nameWidth + "s  %-5s  %-22s %14s%n", "name", "type", "shape", "bytes"));
            for (GgufTensor t : f.tensors())
                b.append(String.format(Locale.ROOT, "  %-" + nameWidth + "s  %-5s  %-22s %,14d%n", t.name(), t.type(), Arrays.toString(t.shape()), t.byteSize()));
        }
        return b.toString();
    }

    /** The ids that end generation with their texts, e.g. {@code 32014 "<｜end▁of▁sentence｜>"}; null when none. */
    private static String endOfGeneration(GgufFile f, GgufSummary s) {
        if (s.endOfGeneration().isEmpty()) return null;
        String[] tokens = f.getStringArray("tokenizer.ggml.tokens");
        StringBuilder out = new StringBuilder();
        for (int id : s.endOfGeneration()) out.append(out.isEmpty() ? "" : ", ").append(id).append(' ').append(quote(tokens[id]));
        return out.toString();
    }

    private static void row(StringBuilder b, String label, Object value) {
        if (value != null) b.append(String.format(Locale.ROOT, "  %-24s %s%n", label, value));
    }

    static String human(long n) {
        if (n >= 1_000_000_000) return String.format(Locale.ROOT, "%.2f B", n / 1e9);
        if (n >= 1_000_000) return String.format(Locale.ROOT, "%.2f M", n / 1e6);
        if (n >= 1_000) return String.format(Locale.ROOT, "%.1f K", n / 1e3);
        return Long.toString(n);
    }

    /** One line: strings quoted and escaped (cut after 120 chars), arrays as their first items and length. */
    static String describe(GgufValue v, int maxItems) {
        if (v.type() == GgufValueType.STRING) return quote((String) v.value());
        if (v.type() == GgufValueType.UINT64) return Long.toUnsignedString((Long) v.value());
        if (v.type() != GgufValueType.ARRAY) return String.valueOf(v.value());
        List<String> parts = new ArrayList<>();
        for (Object o : items(v, maxItems))
            parts.add(o instanceof String str ? quote(str) : o instanceof GgufValue g ? describe(g, maxItems) : String.valueOf(o));
        String more = v.length() > maxItems ? ", … (" + v.length() + " items)" : "";
        return "[" + String.join(", ", parts) + more + "]";
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().limit(MAX_TEXT).forEach(cp -> {
            switch (cp) {
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (cp < 0x20 || cp == 0x7f) b.append(String.format(Locale.ROOT, "\\x%02x", cp));
                    else b.appendCodePoint(cp);
                }
            }
        });
        if (s.codePointCount(0, s.length()) > MAX_TEXT) b.append("…");
        return b.append('"').toString();
    }
}
