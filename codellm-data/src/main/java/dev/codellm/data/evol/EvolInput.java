package dev.codellm.data.evol;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.io.Jsonl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Instruction data to evolve, from any of the project's instruction shapes: OSS-Instruct's
 * {@code data.jsonl} ({@code problem}), Alpaca / Code Alpaca ({@code instruction} and an optional
 * {@code input}), a {@code prompt} field, OpenAI {@code messages} or ShareGPT
 * {@code conversations} (the first user turn). Malformed JSON is an error naming the line; a
 * record with none of these fields, or repeating an earlier instruction, is skipped and counted.
 */
public final class EvolInput {
    /** One instruction to evolve: its id (the record's {@code id}/{@code seed_id}, else its line) and text. */
    public record Instruction(String id, String text) {}

    /** The instructions, and how many records were skipped for want of one. */
    public record Read(List<Instruction> instructions, Map<String, Integer> skipped) {}

    private EvolInput() {}

    public static Read read(Path file, int limit) {
        List<Instruction> out = new ArrayList<>();
        Map<String, Integer> skipped = new TreeMap<>();
        java.util.Set<String> ids = new java.util.HashSet<>(), texts = new java.util.HashSet<>();
        int n = 0;
        for (Jsonl.Line line : Jsonl.read(file, "instruction file")) {
            n++;
            if (limit > 0 && out.size() >= limit) break;
            String text = instruction(line.json());
            if (text == null || text.isBlank()) {
                skipped.merge("no instruction field", 1, Integer::sum);
                continue;
            }
            if (!texts.add(text.strip().replaceAll("\\s+", " ").toLowerCase(java.util.Locale.ROOT))) {
                skipped.merge("duplicate instruction", 1, Integer::sum);  // evolving it twice would only make near-copies
                continue;
            }
            JsonNode id = line.json().hasNonNull("id") ? line.json().get("id") : line.json().get("seed_id");
            String name = id != null && !id.asText().isBlank() ? id.asText().replace('/', '_') : "line-" + n;
            if (!ids.add(name)) name = name + "-line-" + n;  // ids key the evolutions: keep them unique
            out.add(new Instruction(name, text.strip()));
        }
        return new Read(out, skipped);
    }

    static String instruction(JsonNode r) {
        if (r.path("instruction").isTextual()) {
            String input = r.path("input").asText("");
            return input.isBlank() ? r.get("instruction").asText() : r.get("instruction").asText().strip() + "\n\n" + input.strip();
        }
        for (String f : new String[] {"problem", "prompt", "question"}) if (r.path(f).isTextual()) return r.get(f).asText();
        for (JsonNode m : r.path("messages")) if ("user".equals(m.path("role").asText())) return m.path("content").asText(null);
        for (JsonNode m : r.path("conversations")) if ("human".equals(m.path("from").asText())) return m.path("value").asText(null);
        return null;
    }
}
