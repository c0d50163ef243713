package dev.codellm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.SharedData;
import dev.codellm.data.decontam.DecontamPipeline;
import dev.codellm.decontam.DecontamConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the Spark job in local mode in a JDK 17 subprocess (Spark 4.0.1 cannot run on JDK 25)
 * and checks that it removes exactly what the in-process pipeline removes, in the same order,
 * with the same report figures.
 */
class SparkDecontamTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The JVM options Spark's own launcher adds on JDK 17. */
    static final List<String> SPARK_JVM_OPTS = List.of(
            "-XX:+IgnoreUnrecognizedVMOptions",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
            "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
            "-Djdk.reflect.useDirectMethodHandle=false",
            "-Dio.netty.tryReflectionSetAccessible=true");

    @TempDir Path tmp;

    @Test
    void sparkJobMatchesInProcessRun() throws Exception {
        Path in = tmp.resolve("corpus.jsonl");
        writeCorpus(in);
        Path local = tmp.resolve("local");
        runInProcess(in, local);

        Path spark = tmp.resolve("spark");
        runSpark(List.of("--input", in.toString(), "--out", spark.toString()));

        assertEquals(Files.readAllLines(local.resolve("clean.jsonl")), parts(spark.resolve("clean")));
        List<String> removed = Files.readAllLines(local.resolve("removed.jsonl"));
        assertEquals(removed, parts(spark.resolve("removed")));
        assertEquals(2, removed.size());
        JsonNode a = JSON.readTree(local.resolve("report.json").toFile());
        JsonNode b = JSON.readTree(spark.resolve("report.json").toFile());
        for (String k : List.of("method", "method_params", "benchmark_tasks", "records", "clean", "removed", "skipped",
                "blank_lines", "input_bytes", "skipped_by_reason", "skipped_examples", "removed_by_task")) {
            assertEquals(a.get(k), b.get(k), k);
        }
        assertTrue(b.get("engine").asText().startsWith("spark 4.0.1"));
    }

    @Test
    void sparkSourceTreeMatchesInProcessRun() throws Exception {
        Path tree = tmp.resolve("tree");
        Files.createDirectories(tree.resolve("pkg/sub"));
        Files.createDirectories(tree.resolve(".git"));
        try (Stream<Path> s = Files.list(Path.of("/usr/lib/python3.11"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".py")).sorted().limit(12).toList()) {
                Files.copy(p, tree.resolve(p.getFileName().toString().startsWith("_") ? "pkg/sub" : "pkg").resolve(p.getFileName()));
            }
        }
        JsonNode he = task("datasets/humaneval/HumanEval.jsonl.gz", 2);
        Files.writeString(tree.resolve("copied.py"), "# x\n" + he.get("prompt").asText() + he.get("canonical_solution").asText());
        Files.write(tree.resolve("pkg/blob.bin"), new byte[] {7, 0, 7});
        Files.writeString(tree.resolve(".git/HEAD"), "hidden");
        Path local = tmp.resolve("local-tree");
        runInProcess(tree, local);
        Path spark = tmp.resolve("spark-tree");
        runSpark(List.of("--input", tree.toString(), "--out", spark.toString(), "--source-tree"));
        List<String> clean = Files.readAllLines(local.resolve("clean.jsonl"));
        assertEquals(12, clean.size());
        assertEquals(paths(clean), paths(parts(spark.resolve("clean"))), "same files, same order");
        assertEquals(clean, parts(spark.resolve("clean")));
        assertEquals(Files.readAllLines(local.resolve("removed.jsonl")), parts(spark.resolve("removed")));
        JsonNode a = JSON.readTree(local.resolve("report.json").toFile());
        JsonNode b = JSON.readTree(spark.resolve("report.json").toFile());
        for (String k : List.of("records", "clean", "removed", "skipped_by_reason", "skipped_examples", "removed_by_task")) {
            assertEquals(a.get(k), b.get(k), k);
        }
        assertEquals(1, b.get("removed").asInt());
    }

    /**
     * Parquet written by Spark itself (several part files, snappy, INT96 timestamps, nested and null
     * columns): the Spark job and the in-process run read the same records and remove the same ones,
     * byte for byte; and those records are the rows Spark renders as JSON (its jsonl twin).
     */
    @Test
    void sparkParquetJobMatchesInProcessRun() throws Exception {
        Path src = tmp.resolve("source.jsonl");
        writeParquetSource(src);
        Path written = tmp.resolve("written");
        Path dataset = written.resolve("rows.parquet");
        Path spark = tmp.resolve("spark-parquet");
        // One JDK 17 JVM: Spark writes the dataset (small splits: several part files), then runs the job on it.
        runSpark(fixtureWriter(),
                List.of(src.toString(), written.toString(), "6000", "--job", "--master", "local[2]",
                        "--shared", SharedData.root().toString(), "--input", dataset.toString(), "--out", spark.toString()));
        long parts;
        try (Stream<Path> s = Files.list(dataset)) {
            parts = s.filter(p -> p.getFileName().toString().endsWith(".parquet")).count();
        }
        assertTrue(parts > 1, "a multi-file dataset, got " + parts);
        Path local = tmp.resolve("local-parquet");
        runInProcess(dataset, local);

        List<String> clean = Files.readAllLines(local.resolve("clean.jsonl"));
        List<String> removed = Files.readAllLines(local.resolve("removed.jsonl"));
        assertSameLines(clean, parts(spark.resolve("clean")), "clean");
        assertSameLines(removed, parts(spark.resolve("removed")), "removed");
        assertEquals(2, removed.size());
        JsonNode a = JSON.readTree(local.resolve("report.json").toFile());
        JsonNode b = JSON.readTree(spark.resolve("report.json").toFile());
        for (String k : List.of("records", "clean", "removed", "skipped_by_reason", "input_bytes", "removed_by_task")) {
            assertEquals(a.get(k), b.get(k), k);
        }
        assertEquals("parquet", b.get("input_kind").asText());
        // The records are Spark's rows: compare with Spark's own JSON of them, removed ones left out.
        List<JsonNode> twin = new ArrayList<>();
        for (String l : Files.readAllLines(written.resolve("twin.jsonl"))) twin.add(JSON.readTree(l));
        List<JsonNode> ours = new ArrayList<>();
        for (String l : clean) ours.add(JSON.readTree(l));
        for (int i = 0; i < ours.size(); i++) assertTrue(i == 0 || ours.get(i).get("id").asInt() > ours.get(i - 1).get("id").asInt(), "input order");
        twin.removeIf(r -> r.get("id").asInt() == 4 || r.get("id").asInt() == 17);
        // Spark reads a dataset's files largest first, so its twin is in another order: compare by id.
        java.util.Comparator<JsonNode> byId = java.util.Comparator.comparingInt(r -> r.get("id").asInt());
        twin.sort(byId);
        ours.sort(byId);
        assertEquals(twin.size(), ours.size());
        for (int i = 0; i < twin.size(); i++) assertEquals(twin.get(i), ours.get(i), "row " + i + " vs Spark's JSON");
    }

    /** Line lists equal, or a short message at the first difference (records are whole source files). */
    static void assertSameLines(List<String> expected, List<String> actual, String what) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                throw new AssertionError(what + " line " + (i + 1) + " differs: " + clip(expected.get(i)) + " vs " + clip(actual.get(i)));
            }
        }
        assertEquals(expected.size(), actual.size(), what + " line count");
    }

    static String clip(String s) {
        return s.length() <= 160 ? s : s.substring(0, 80) + " ... " + s.substring(s.length() - 80);
    }

    /** The in-process run (openai50, defaults) the Spark output must equal. */
    static void runInProcess(Path input, Path out) throws IOException {
        new DecontamPipeline(DecontamConfig.defaults("openai50").build(dev.codellm.core.benchmark.BenchmarkFiles.standard()), 2, 1 << 26, null).run(input, out);
    }

    static String fixtureWriter() {
        return Path.of("src/test/resources/ParquetFixtureWriter.java").toAbsolutePath().toString();
    }

    /** Records of the fixture writer's schema from real stdlib files; rows 4 and 17 carry benchmark solutions. */
    static void writeParquetSource(Path file) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("/usr/lib/python3.11"))) {
            files = s.filter(p -> p.toString().endsWith(".py")).sorted().skip(30).limit(24).toList();
        }
        JsonNode he = task("datasets/humaneval/HumanEval.jsonl.gz", 11);
        JsonNode mbppplus = task("datasets/mbppplus/MbppPlus-v0.2.0.jsonl.gz", 30);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            String text = Files.readString(files.get(i));
            if (i == 4) text = text + "\n" + he.get("prompt").asText() + he.get("canonical_solution").asText();
            if (i == 17) text = mbppplus.get("canonical_solution").asText() + "\n" + text;
            ObjectNode rec = JSON.createObjectNode();
            rec.put("path", "lib/" + files.get(i).getFileName());
            rec.put("text", text);
            rec.put("id", i);
            if (i % 2 == 0) rec.putArray("tags").add("py").add("n" + i);
            if (i % 3 == 0) rec.put("at", "2025-06-0" + (1 + i % 9) + "T12:00:0" + (i % 10) + "Z");
            lines.add(JSON.writeValueAsString(rec));
        }
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    static List<String> paths(List<String> lines) throws IOException {
        List<String> out = new ArrayList<>();
        for (String l : lines) out.add(JSON.readTree(l).get("path").asText());
        return out;
    }

    /** Runs DecontamJob in local mode on JDK 17 and fails with the log tail if it does not succeed. */
    void runSpark(List<String> jobArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("--master", "local[2]", "--shared", SharedData.root().toString()));
        args.addAll(jobArgs);
        runSpark("dev.codellm.spark.DecontamJob", args);
    }

    /** Runs a main class (or a single-file source program) on JDK 17 with Spark's classpath and JVM options. */
    void runSpark(String main, List<String> mainArgs) throws Exception {
        Path log = Files.createTempFile(tmp, "spark", ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("codellm.java17"));
        cmd.add("-Xmx1g");
        // A short job: C1 only and the serial collector start faster on a small machine.
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        cmd.addAll(SPARK_JVM_OPTS);
        cmd.addAll(List.of("-Dspark.ui.enabled=false", "-Dspark.sql.shuffle.partitions=2", "-Dspark.driver.host=127.0.0.1",
                "-cp", System.getProperty("codellm.spark.classes") + java.io.File.pathSeparator
                        + Files.readString(Path.of(System.getProperty("codellm.spark.classpath.file"))).strip(),
                main));
        cmd.addAll(mainArgs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(150, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("Spark job took over 150 s; log tail:\n" + tail(log));
        }
        if (p.exitValue() != 0) throw new AssertionError("Spark job failed; log tail:\n" + tail(log));
    }

    /** Part files concatenated in part order: the whole output in input order. */
    static List<String> parts(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().toList()) {
                out.addAll(Files.readAllLines(p));
            }
        }
        return out;
    }

    static String tail(Path log) throws IOException {
        List<String> l = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return String.join("\n", l.subList(Math.max(0, l.size() - 40), l.size()));
    }

    /** Real stdlib files, two with planted benchmark solutions, one malformed line, one blank line, CRLF endings. */
    static void writeCorpus(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("/usr/lib/python3.11"))) {
            files = s.filter(p -> p.toString().endsWith(".py")).sorted().limit(30).toList();
        }
        JsonNode he = task("datasets/humaneval/HumanEval.jsonl.gz", 40);
        JsonNode mbppplus = task("datasets/mbppplus/MbppPlus-v0.2.0.jsonl.gz", 7);
        for (int i = 0; i < files.size(); i++) {
            String text = Files.readString(files.get(i));
            if (i == 4) text = text + "\n" + he.get("prompt").asText() + he.get("canonical_solution").asText().replace("    ", "  ");
            if (i == 21) text = mbppplus.get("canonical_solution").asText() + "\n\n" + text;
            ObjectNode rec = JSON.createObjectNode();
            rec.put("text", text);
            rec.put("n", i);
            lines.add(JSON.writeValueAsString(rec));
            if (i == 10) lines.add("{\"text\": oops}");
            if (i == 15) lines.add("");
        }
        Files.writeString(file, String.join("\r\n", lines) + "\r\n", StandardCharsets.UTF_8);
    }

    static JsonNode task(String rel, int index) throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(SharedData.require(rel))), StandardCharsets.UTF_8))) {
            return JSON.readTree(r.lines().skip(index).findFirst().orElseThrow());
        }
    }
}
