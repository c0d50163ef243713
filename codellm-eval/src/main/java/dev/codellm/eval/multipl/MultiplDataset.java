package dev.codellm.eval.multipl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.SharedData;
import dev.codellm.eval.data.Jsonl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads MultiPL-E HumanEval translations ({@code multipl-e/humaneval-<lang>.jsonl.gz}, v2.x rows)
 * in file order.
 */
public final class MultiplDataset {
    private MultiplDataset() {}

    /** The file for a language under a datasets directory (e.g. the shared {@code datasets/}). */
    public static Path file(Path datasetsDir, MultiplLanguage lang) {
        return datasetsDir.resolve("multipl-e").resolve("humaneval-" + lang.code() + ".jsonl.gz");
    }

    /** Loads from the shared data directory. */
    public static List<MultiplProblem> load(MultiplLanguage lang) {
        return load(file(SharedData.root().resolve("datasets"), lang));
    }

    public static List<MultiplProblem> load(Path file) {
        return Jsonl.read(file, "MultiPL-E file").stream().map(l -> parse(l.json(), l.where())).toList();
    }

    private static MultiplProblem parse(JsonNode n, String where) {
        for (String field : List.of("name", "language", "prompt", "tests", "stop_tokens")) {
            if (!n.hasNonNull(field)) throw new CodellmException(where + ": missing field '" + field + "'");
        }
        List<String> stops = new ArrayList<>();
        n.get("stop_tokens").forEach(s -> stops.add(s.asText()));
        return new MultiplProblem(n.get("name").asText(), n.get("language").asText(), n.get("prompt").asText(),
                n.get("tests").asText(), List.copyOf(stops));
    }
}
