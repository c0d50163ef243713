package dev.codellm.eval.multipl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.CodellmException;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.Generator;
import dev.codellm.core.SamplingParams;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
        ObjectMapper json = new ObjectMapper();
        Map<String, List<String>> byKey = new HashMap<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) continue;
                JsonNode n;
                try {
                    n = json.readTree(line);
                } catch (IOException e) {
                    throw new CodellmException(file + ":" + lineNo + ": malformed JSON");
                }
                JsonNode code = n.hasNonNull("completion") ? n.get("completion") : n.get("solution");
                if (!n.hasNonNull("task_id") || code == null) {
                    throw new CodellmException(file + ":" + lineNo + ": needs \"task_id\" and \"completion\"");
                }
                String lang = n.hasNonNull("language") ? MultiplLanguage.fromCode(n.get("language").asText()).code() : "";
                byKey.computeIfAbsent(lang + "/" + n.get("task_id").asText(), k -> new ArrayList<>()).add(code.asText());
            }
        } catch (IOException e) {
            throw new CodellmException("cannot read samples file " + file + ": " + e.getMessage(), e);
        }
        return (problem, index) -> {
            String lang = MultiplLanguage.fromCode(problem.language()).code();
            List<String> c = byKey.getOrDefault(lang + "/" + problem.name(), byKey.get("/" + problem.name()));
            return c == null || index >= c.size() ? null : c.get(index);
        };
    }
}
