package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.model.generate.DefaultModelFile;
import dev.codellm.model.generate.GeneratorOptions;
import dev.codellm.server.Server;
import dev.codellm.server.ServerConfig;
import dev.codellm.server.ServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval --prompt-style instruct} puts EvalPlus's response prefix to the model as a trailing
 * assistant message, the same way whether the model runs here ({@code --model}) or behind an
 * endpoint ({@code --endpoint} to a {@code codellm serve} started here on the same file): greedy,
 * the answers, the per-task verdicts and pass@1 are identical. Three HumanEval tasks on the
 * embedded default model keep it quick.
 */
class InstructEvalThroughEndpointTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    @Test
    void localModelAndEndpointScoreTheSame() throws Exception {
        Path model = DefaultModelFile.path();
        CliRun local, remote;
        try (Server server = Server.start(new ServerConfig(model, GeneratorOptions.DEFAULT, 2, 16, ServerOptions.defaults().withPort(0)))) {
            local = eval("local", "--model", model.toString());
            remote = eval("remote", "--endpoint", "http://127.0.0.1:" + server.port(), "--api-model", server.info().name());
        }
        assertEquals(0, local.code(), local.err());
        assertEquals(0, remote.code(), remote.err());
        assertEquals(JSON.readTree(local.out()), JSON.readTree(remote.out()), "pass@k");
        Map<String, String> answers = byTask("local", "samples.jsonl", "completion");
        assertEquals(3, answers.size());
        assertTrue(answers.values().stream().anyMatch(a -> !a.isEmpty()), "the model answered: " + answers);
        assertEquals(answers, byTask("remote", "samples.jsonl", "completion"));
        Map<String, String> verdicts = byTask("local", "samples_results.jsonl", "base_status");
        assertTrue(verdicts.size() == 3 && verdicts.values().stream().allMatch(v -> v.startsWith("\"")), "verdicts: " + verdicts);
        assertEquals(verdicts, byTask("remote", "samples_results.jsonl", "base_status"));
    }

    private CliRun eval(String out, String... source) {
        String[] common = {"eval", "--dataset", "humaneval", "--prompt-style", "instruct", "--limit", "3", "--max-tokens", "48",
                "--json", "--out", tmp.resolve(out).toString(), "--cache-dir", tmp.resolve("cache").toString()};
        String[] args = java.util.Arrays.copyOf(common, common.length + source.length);
        System.arraycopy(source, 0, args, common.length, source.length);
        return CliRun.of(args);
    }

    private Map<String, String> byTask(String run, String file, String field) throws Exception {
        Map<String, String> m = new TreeMap<>();
        for (String line : Files.readAllLines(tmp.resolve(run).resolve(file))) {
            JsonNode n = JSON.readTree(line);
            m.put(n.get("task_id").asText(), n.get(field).toString());
        }
        return m;
    }
}
