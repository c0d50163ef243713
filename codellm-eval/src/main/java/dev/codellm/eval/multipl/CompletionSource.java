package dev.codellm.eval.multipl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.Generator;
import dev.codellm.core.SamplingParams;
import dev.codellm.eval.data.Jsonl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Where the completions of a MultiPL-E run come from: a model, or a samples file. */
public interface CompletionSource {

    /** The {@code index}-th completion of a problem (0-based), or null if the source has none. */
    String completion(MultiplProblem problem, int index);

    /**
     * Base-model completion of the raw prompt, cut at the language's stop tokens (as MultiPL-E
     * generates); {@code sampling}'s own stop strings are kept as well.
     */
    static CompletionSource of(Generator generator, SamplingParams sampling) {
        return (problem, index) -> {
            List<String> stops = new ArrayList<>(sampling.stop());
            stops.addAll(problem.stopTokens());
            SamplingParams s = sampling.withStop(stops);
            if (sampling.seed() != null) s = s.withSeed(sampling.seed() + index);
            return generator.complete(CompletionRequest.of(problem.prompt(), s), text -> true).text();
        };
    }

    /**
     * Completions from a jsonl file of {@code {"task_id": "HumanEval_53_add", "language": "cpp",
     * "completion": "..."}} lines (MultiPL-E problem names as task ids; {@code language} may be
     * omitted when the file holds one language). The i-th line of a task is its i-th completion.
     */
    static CompletionSource fromFile(Path file) {
        Map<String, List<String>> byKey = new HashMap<>();
        for (Jsonl.Line line : Jsonl.read(file, "samples file")) {
            JsonNode n = line.json();
            JsonNode code = n.hasNonNull("completion") ? n.get("completion") : n.get("solution");
            if (!n.hasNonNull("task_id") || code == null) throw new CodellmException(line.where() + ": needs \"task_id\" and \"completion\"");
            String lang;
            try {
                lang = n.hasNonNull("language") ? MultiplLanguage.fromCode(n.get("language").asText()).code() : "";
            } catch (IllegalArgumentException e) {
                throw new CodellmException(line.where() + ": " + e.getMessage());
            }
            byKey.computeIfAbsent(lang + "/" + n.get("task_id").asText(), k -> new ArrayList<>()).add(code.asText());
        }
        return (problem, index) -> {
            String lang = MultiplLanguage.fromCode(problem.language()).code();
            List<String> c = byKey.getOrDefault(lang + "/" + problem.name(), byKey.get("/" + problem.name()));
            return c == null || index >= c.size() ? null : c.get(index);
        };
    }
}
