package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.model.generate.DefaultModelFile;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Where a model is optional, the bundled one is used: inspect, bench and tokenize need no file (and no ../shared). */
class DefaultModelCommandsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void inspectShowsTheBundledModelWithSnakeCaseJson() throws Exception {
        CliRun r = CliRun.of("inspect", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(DefaultModelFile.path().toString(), j.at("/summary/file").asText());
        try (GgufFile f = GgufFile.open(DefaultModelFile.path())) {
            assertEquals(f.getString("general.name"), j.at("/summary/name").asText());
        }
        assertTrue(j.at("/summary/context_length").asInt() > 0, r.out());
        List<String> bad = new ArrayList<>();
        camelKeys(j, "", bad);
        assertEquals(List.of(), bad, "keys of our own must be snake_case (GGUF metadata keys and tensor types are the file's)");
    }

    private static void camelKeys(JsonNode n, String at, List<String> bad) {
        if (n.isArray()) for (JsonNode e : n) camelKeys(e, at + "[]", bad);
        if (!n.isObject() || at.equals("/metadata") || at.endsWith("/tensor_types")) return;
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.matches("[a-z0-9_]+")) bad.add(at + "/" + k);
            camelKeys(n.get(k), at + "/" + k, bad);
        }
    }

    @Test
    void tokenizeUsesTheBundledModelsOwnVocabulary() {
        String text = "def add(a, b):\n    return a + b\n";
        CliRun r = CliRun.of("tokenize", "--ids", text);
        assertEquals(0, r.code(), r.err());
        String expected = Arrays.stream(Tokenizer.fromGguf(DefaultModelFile.path()).encode(text, false, false))
                .mapToObj(Integer::toString).collect(Collectors.joining(" "));
        assertEquals(expected, r.out().strip());
    }

    @Test
    void benchRunsTheBundledModel() throws Exception {
        CliRun r = CliRun.of("bench", "-p", "8", "-n", "2", "--threads", "1", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertTrue(j.get("tg_tokens_per_s").asDouble() > 0, r.out());
        assertEquals(DefaultModelFile.path().getFileName().toString(), Path.of(j.get("model").asText()).getFileName().toString(), r.out());
    }
}
