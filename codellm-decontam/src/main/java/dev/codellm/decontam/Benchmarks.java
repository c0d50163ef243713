package dev.codellm.decontam;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The benchmarks to protect and how to read them. Built-in ones are found under the shared-data
 * root (HumanEval, HumanEval+, MBPP, MBPP+ prompts and canonical solutions); any other jsonl a
 * user names is read with the common field names ({@code task_id}; prompt-like and
 * solution-like fields listed in {@link #USER_PROMPT_FIELDS} / {@link #USER_SOLUTION_FIELDS}).
 */
public final class Benchmarks {
    private Benchmarks() {}

    /** How to read one benchmark file. */
    public record Spec(String name, String relativePath, List<String> promptFields, List<String> solutionFields) {}

    public static final Map<String, Spec> BUILTIN;

    static {
        Map<String, Spec> m = new LinkedHashMap<>();
        m.put("humaneval", new Spec("humaneval", "datasets/humaneval/HumanEval.jsonl.gz",
                List.of("prompt"), List.of("canonical_solution")));
        m.put("humanevalplus", new Spec("humanevalplus", "datasets/humanevalplus/HumanEvalPlus-v0.1.10.jsonl.gz",
                List.of("prompt"), List.of("canonical_solution")));
        m.put("mbpp", new Spec("mbpp", "datasets/mbpp/mbpp.jsonl.gz", List.of("text"), List.of("code")));
        m.put("mbppplus", new Spec("mbppplus", "datasets/mbppplus/MbppPlus-v0.2.0.jsonl.gz",
                List.of("prompt"), List.of("canonical_solution")));
        BUILTIN = Map.copyOf(m);
    }

    public static final List<String> DEFAULT_NAMES = List.of("humaneval", "humanevalplus", "mbpp", "mbppplus");
    public static final List<String> USER_PROMPT_FIELDS = List.of("prompt", "text", "question", "instruction", "problem");
    public static final List<String> USER_SOLUTION_FIELDS =
            List.of("canonical_solution", "solution", "code", "completion", "response", "output", "answer");

    /**
     * Loads benchmarks by name: a built-in name (resolved under {@code sharedRoot}) or a path to a
     * jsonl/jsonl.gz file (named after the file).
     */
    public static List<BenchmarkItem> load(List<String> namesOrPaths, Path sharedRoot) {
        List<BenchmarkItem> items = new ArrayList<>();
        for (String n : namesOrPaths) {
            Spec spec = BUILTIN.get(n.toLowerCase(Locale.ROOT));
            if (spec != null) {
                if (sharedRoot == null) throw new IllegalArgumentException("benchmark " + n + " needs the shared-data root");
                Path p = sharedRoot.resolve(spec.relativePath());
                if (!Files.isRegularFile(p)) throw new IllegalArgumentException("benchmark file missing: " + p);
                items.addAll(read(p, spec));
            } else {
                Path p = Path.of(n);
                if (!Files.isRegularFile(p)) {
                    throw new IllegalArgumentException("unknown benchmark '" + n + "': not one of " + DEFAULT_NAMES
                            + " and not a jsonl file");
                }
                String base = p.getFileName().toString().replaceFirst("\\.jsonl(\\.gz)?$|\\.json(\\.gz)?$", "");
                items.addAll(read(p, new Spec(base, p.toString(), USER_PROMPT_FIELDS, USER_SOLUTION_FIELDS)));
            }
        }
        return items;
    }

    /** Reads one jsonl(.gz) benchmark file; the task id is {@code task_id} or the 1-based line number. */
    public static List<BenchmarkItem> read(Path file, Spec spec) {
        List<BenchmarkItem> items = new ArrayList<>();
        // EvalPlus inputs contain NaN / -Infinity literals (Python's json writes them).
        JsonFactory json = JsonFactory.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) continue;
                Map<String, String> fields;
                try {
                    fields = topLevelScalars(json, line);
                } catch (IOException | IllegalArgumentException e) {
                    throw new IllegalArgumentException("benchmark " + file + " line " + lineNo + " is not a JSON object: " + firstLine(e.getMessage()));
                }
                String id = fields.getOrDefault("task_id", Integer.toString(lineNo));
                for (String f : spec.promptFields()) add(items, spec, id, f, fields.get(f), false);
                for (String f : spec.solutionFields()) add(items, spec, id, f, fields.get(f), true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read benchmark " + file + ": " + e.getMessage(), e);
        }
        if (items.isEmpty()) throw new IllegalArgumentException("benchmark " + file + " has no usable text fields");
        return items;
    }

    static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static void add(List<BenchmarkItem> items, Spec spec, String id, String field, String text, boolean solution) {
        if (text != null && !text.isBlank()) items.add(new BenchmarkItem(spec.name(), id, field, text, solution));
    }

    /** The top-level string/number fields of one JSON object (nested values are skipped). */
    static Map<String, String> topLevelScalars(JsonFactory json, String line) throws IOException {
        Map<String, String> out = new HashMap<>();
        try (JsonParser p = json.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IllegalArgumentException("expected an object");
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) p.skipChildren();
                else if (v != JsonToken.VALUE_NULL) out.put(name, p.getText());
            }
            if (t != JsonToken.END_OBJECT) throw new IllegalArgumentException("unexpected " + t);
        }
        return out;
    }
}
