package dev.codellm.eval.multipl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.CodellmException;
import dev.codellm.core.SharedData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads MultiPL-E HumanEval translations ({@code multipl-e/humaneval-<lang>.jsonl.gz}, v2.x rows)
 * in file order.
 */
public final class MultiplDataset {
    private static final ObjectMapper JSON = new ObjectMapper();

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
        if (!Files.isRegularFile(file)) throw new CodellmException("MultiPL-E file not found: " + file);
        List<MultiplProblem> rows = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) continue;
                rows.add(parse(JSON.readTree(line), file, lineNo));
            }
        } catch (IOException e) {
            throw new CodellmException("cannot read MultiPL-E file " + file + ": " + e.getMessage(), e);
        }
        return rows;
    }

    private static MultiplProblem parse(JsonNode n, Path file, int lineNo) {
        for (String field : List.of("name", "language", "prompt", "tests", "stop_tokens")) {
            if (!n.hasNonNull(field)) throw new CodellmException(file + ":" + lineNo + ": missing field '" + field + "'");
        }
        List<String> stops = new ArrayList<>();
        n.get("stop_tokens").forEach(s -> stops.add(s.asText()));
        return new MultiplProblem(n.get("name").asText(), n.get("language").asText(), n.get("prompt").asText(),
                n.get("tests").asText(), List.copyOf(stops));
    }
}
