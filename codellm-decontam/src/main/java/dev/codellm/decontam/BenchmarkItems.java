package dev.codellm.decontam;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.benchmark.BenchmarkFiles;
import dev.codellm.core.benchmark.BenchmarkRegistry;
import dev.codellm.core.benchmark.BenchmarkSpec;
import dev.codellm.core.io.Jsonl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The texts to protect. A benchmark name is anything the core {@link BenchmarkRegistry} knows
 * ({@code humaneval+}, {@code humanevalplus}, {@code multipl-e/java}, ...): its prompt and
 * solution fields, from the file {@link BenchmarkFiles} finds (shared data, cache, or the
 * verified download). Any other value must be a jsonl file the user gives, read with the common
 * field names ({@link #USER_PROMPT_FIELDS}, {@link #USER_SOLUTION_FIELDS}). Items are labelled
 * with the benchmark's slug ({@code humanevalplus:HumanEval/0}) or the user file's name.
 */
public final class BenchmarkItems {
    private BenchmarkItems() {}

    /** What decontam protects when no {@code --benchmarks} is given: the registry's default set, by slug. */
    public static final List<String> DEFAULT_NAMES = BenchmarkRegistry.decontamDefaults().stream().map(BenchmarkSpec::slug).toList();
    public static final List<String> USER_PROMPT_FIELDS = List.of("prompt", "text", "question", "instruction", "problem");
    public static final List<String> USER_SOLUTION_FIELDS =
            List.of("canonical_solution", "solution", "code", "completion", "response", "output", "answer");

    /** Loads benchmarks by name or alias (through {@code files}) or by path of a jsonl(.gz) file. */
    public static List<BenchmarkItem> load(List<String> namesOrPaths, BenchmarkFiles files) {
        List<BenchmarkItem> items = new ArrayList<>();
        for (String n : namesOrPaths) {
            Optional<BenchmarkSpec> spec = BenchmarkRegistry.find(n);
            if (spec.isPresent()) {
                BenchmarkSpec b = spec.get();
                items.addAll(read(files.load(b).rows(), b.slug(), b.promptFields(), b.solutionFields(), b.name()));
            } else {
                Path p = Path.of(n);
                if (!Files.isRegularFile(p)) {
                    throw new CodellmException("unknown benchmark '" + n + "': not a benchmark name (" + BenchmarkRegistry.names()
                            + ") and not a jsonl file");
                }
                String base = p.getFileName().toString().replaceFirst("\\.jsonl(\\.gz)?$|\\.json(\\.gz)?$", "");
                items.addAll(read(Jsonl.read(p, "benchmark"), base, USER_PROMPT_FIELDS, USER_SOLUTION_FIELDS, p.toString()));
            }
        }
        return items;
    }

    /** One benchmark's items; the task id is {@code task_id} or the 1-based record number. Top-level scalar fields only. */
    static List<BenchmarkItem> read(List<Jsonl.Line> rows, String label, List<String> promptFields, List<String> solutionFields, String what) {
        List<BenchmarkItem> items = new ArrayList<>();
        int record = 0;
        for (Jsonl.Line row : rows) {
            record++;
            String id = scalar(row.json(), "task_id");
            if (id == null) id = Integer.toString(record);
            for (String f : promptFields) add(items, label, id, f, scalar(row.json(), f), false);
            for (String f : solutionFields) add(items, label, id, f, scalar(row.json(), f), true);
        }
        if (items.isEmpty()) throw new CodellmException("benchmark " + what + " has no usable text fields");
        return items;
    }

    private static String scalar(JsonNode record, String field) {
        JsonNode v = record.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }

    private static void add(List<BenchmarkItem> items, String label, String id, String field, String text, boolean solution) {
        if (text != null && !text.isBlank()) items.add(new BenchmarkItem(label, id, field, text, solution));
    }
}
