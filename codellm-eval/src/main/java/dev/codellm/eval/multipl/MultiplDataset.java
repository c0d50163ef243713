package dev.codellm.eval.multipl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.benchmark.BenchmarkFiles;
import dev.codellm.core.io.Jsonl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads MultiPL-E HumanEval translations ({@code multipl-e/humaneval-<lang>.jsonl.gz}, v2.x rows)
 * in file order; the file is found by the one dataset lookup ({@link BenchmarkFiles}).
 */
public final class MultiplDataset {
    private MultiplDataset() {}

    /** The language's problems, from the shared data (or cache). */
    public static List<MultiplProblem> load(MultiplLanguage lang) {
        return parse(BenchmarkFiles.standard().load(lang.spec()).rows());
    }

    public static List<MultiplProblem> load(Path file) {
        return parse(Jsonl.read(file, "MultiPL-E file"));
    }

    static List<MultiplProblem> parse(List<Jsonl.Line> rows) {
        return rows.stream().map(l -> parse(l.json(), l.where())).toList();
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
