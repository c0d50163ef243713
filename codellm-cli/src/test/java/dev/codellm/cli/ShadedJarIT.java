package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fat jar as users run it (after {@code package}; Maven's failsafe runs this in {@code verify}):
 * the shade filters that drop onnxruntime's debug symbols and most of hadoop-client-api must leave
 * Parquet input and the in-process embedding analysis working.
 */
class ShadedJarIT {
    static final Path JAR = Path.of("target", "codellm.jar");
    static final Path PARQUET = Path.of("..", "codellm-data", "src", "test", "resources", "parquet");
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path tmp;

    @Test
    void debugSymbolsAndUnusedHadoopAreLeftOut() throws IOException {
        try (ZipFile z = new ZipFile(JAR.toFile())) {
            List<String> names = z.stream().map(e -> e.getName()).toList();
            assertFalse(names.stream().anyMatch(n -> n.endsWith(".pdb") || n.contains(".dSYM/")), "debug symbols");
            assertFalse(names.stream().anyMatch(n -> n.startsWith("org/apache/hadoop/hdfs/") || n.startsWith("org/apache/hadoop/yarn/")));
            assertTrue(names.contains("ai/onnxruntime/native/linux-x64/libonnxruntime.so"));
            assertTrue(names.contains("org/apache/hadoop/mapreduce/lib/input/FileInputFormat.class"));
        }
    }

    /** A Spark-style dataset directory with a snappy and a zstd part: the same records as from the library classes. */
    @Test
    void decontamReadsParquet() throws Exception {
        Path ds = Files.createDirectories(tmp.resolve("rows.parquet"));
        Files.copy(PARQUET.resolve("rows.parquet"), ds.resolve("part-0.parquet"));
        Files.copy(PARQUET.resolve("rows-zstd.parquet"), ds.resolve("part-1.parquet"));
        Files.writeString(ds.resolve("_SUCCESS"), "");
        Path out = tmp.resolve("out");
        Run r = jar("decontam", "--input", ds.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.out());
        assertEquals(2, Files.readAllLines(out.resolve("removed.jsonl")).size(), r.out());
        assertEquals(22, Files.readAllLines(out.resolve("clean.jsonl")).size(), r.out());
        Path bad = Files.writeString(tmp.resolve("bad.parquet"), "not parquet at all");
        Run broken = jar("decontam", "--input", bad.toString(), "--out", tmp.resolve("o2").toString());
        assertEquals(1, broken.code());
        assertTrue(broken.out().contains("codellm: error: " + bad + ": not a readable Parquet file"), broken.out());
    }

    @Test
    void ossInstructAnalysisEmbedsWithOnnxRuntime() throws Exception {
        Path corpus = Files.createDirectories(tmp.resolve("corpus"));
        for (String f : List.of("textwrap.py", "heapq.py")) Files.copy(Path.of("/usr/lib/python3.11", f), corpus.resolve(f));
        HttpServer teacher = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        teacher.createContext("/v1/chat/completions", ex -> {
            String user = JSON.readTree(ex.getRequestBody().readAllBytes()).get("messages").get(1).get("content").asText();
            int h = user.hashCode() & 0xffff;
            var root = JSON.createObjectNode();
            var choice = root.putArray("choices").addObject();
            choice.put("index", 0).put("finish_reason", "stop");
            choice.putObject("message").put("role", "assistant").put("content", "[Problem Description]\nWrite a function f" + h
                    + " that sorts a list of numbers and returns its smallest value, or None for an empty list.\n\n[Solution]\n"
                    + "```python\ndef f" + h + "(xs):\n    return min(xs) if xs else None\n```\n");
            root.putObject("usage").put("prompt_tokens", 10).put("completion_tokens", 5);
            byte[] resp = JSON.writeValueAsBytes(root);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, resp.length);
            ex.getResponseBody().write(resp);
            ex.close();
        });
        teacher.start();
        try {
            Path out = tmp.resolve("oss");
            Run r = jar("oss-instruct", "--corpus", corpus.toString(), "--out", out.toString(), "--num-seeds", "3",
                    "--endpoint", "http://127.0.0.1:" + teacher.getAddress().getPort(), "--api-model", "stub", "--decontam", "none", "--analyze");
            assertEquals(0, r.code(), r.out());
            JsonNode a = JSON.readTree(out.resolve("analysis.json").toFile());
            assertEquals(3, a.get("problems").asInt(), a.toString());
            int assigned = 0;
            for (JsonNode n : a.get("categories")) assigned += n.asInt();
            assertEquals(3, assigned, a.toString());
        } finally {
            teacher.stop(0);
        }
    }

    /** A user outside any checkout (no ../shared): the commands whose model is optional run on the bundled one. */
    @Test
    void optionalModelCommandsNeedNoSharedData() throws Exception {
        Path away = Files.createDirectories(tmp.resolve("elsewhere"));
        Run ids = jarIn(away, "tokenize", "--ids", "def f(x):");
        assertEquals(0, ids.code(), ids.out());
        assertTrue(ids.out().strip().lines().toList().getLast().matches("\\d+( \\d+)*"), ids.out());
        Run inspect = jarIn(away, "inspect", "--no-tensors");
        assertEquals(0, inspect.code(), inspect.out());
        assertTrue(inspect.out().contains("codellm-tiny-py"), inspect.out());
    }

    record Run(int code, String out) {}

    static Run jar(String... args) throws Exception {
        return jarIn(null, args);
    }

    /** Runs the jar in {@code dir} (null: here) with shared data pointed at a directory that does not exist. */
    static Run jarIn(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
            pb.environment().put("CODELLM_SHARED", dir.resolve("no-shared-here").toString());
        }
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
