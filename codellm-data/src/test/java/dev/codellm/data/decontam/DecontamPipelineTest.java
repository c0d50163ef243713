package dev.codellm.data.decontam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.SharedData;
import dev.codellm.decontam.DecontamConfig;
import dev.codellm.decontam.RecordDecontaminator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on real data: HumanEval/MBPP from shared data planted (reformatted) inside real
 * Python standard-library files, plus clean real files, bad lines, a binary file.
 */
class DecontamPipelineTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path tmp;

    static JsonNode benchmarkTask(String rel, int index) throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(SharedData.require(rel))), StandardCharsets.UTF_8))) {
            Iterator<String> it = r.lines().iterator();
            for (int i = 0; i < index; i++) it.next();
            return JSON.readTree(it.next());
        }
    }

    /** Real, clean Python files from the Debian python3 stdlib (sorted, reproducible). */
    static List<Path> stdlibFiles(int n) throws IOException {
        Path lib = Path.of("/usr/lib/python3.11");
        try (Stream<Path> s = Files.list(lib)) {
            return s.filter(p -> p.toString().endsWith(".py")).sorted().limit(n).toList();
        }
    }

    static RecordDecontaminator build(String method) {
        return DecontamConfig.defaults(method).build(dev.codellm.core.benchmark.BenchmarkFiles.standard());
    }

    /** Writes the test corpus; returns the expected fate of each line (null = skipped/blank). */
    List<String> writeCorpus(Path file) throws IOException {
        JsonNode he = benchmarkTask("datasets/humaneval/HumanEval.jsonl.gz", 12);
        JsonNode mbpp = benchmarkTask("datasets/mbpp/mbpp.jsonl.gz", 20);
        List<Path> clean = stdlibFiles(12);
        List<String> lines = new ArrayList<>();
        List<String> expect = new ArrayList<>();
        for (int i = 0; i < clean.size(); i++) {
            String text = Files.readString(clean.get(i));
            if (i == 3) {
                // HumanEval/12 prompt + solution pasted into the middle of a real file, re-indented
                // with tabs, CRLF line endings, spaces around operators squeezed.
                String pasted = (he.get("prompt").asText() + he.get("canonical_solution").asText())
                        .replace("    ", "\t").replace("\n", "\r\n").replace(" = ", "=");
                int mid = text.length() / 2;
                text = text.substring(0, mid) + "\n" + pasted + "\n" + text.substring(mid);
                expect.add("humaneval:HumanEval/12");
            } else if (i == 7) {
                text = text + "\n\n# from a tutorial\n" + mbpp.get("code").asText().replace("\r\n", "\n  ");
                expect.add("mbpp:21");
            } else {
                expect.add("clean");
            }
            ObjectNode rec = JSON.createObjectNode();
            rec.put("zeta", i);
            rec.put("content", text);
            rec.putObject("meta").put("path", clean.get(i).getFileName().toString());
            lines.add(JSON.writeValueAsString(rec));
            if (i == 5) {
                lines.add("{\"broken\": \"no end");
                expect.add(null);
                lines.add("");
                expect.add(null);
            }
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
        return expect;
    }

    @Test
    void plantedContaminationIsRemovedAndCleanCodeKept() throws IOException {
        Path in = tmp.resolve("corpus.jsonl");
        List<String> expect = writeCorpus(in);
        Path out = tmp.resolve("out");
        DecontamPipeline.Summary s = new DecontamPipeline(build("openai50"), 2, 1 << 26, null).run(in, out);

        List<String> inLines = Files.readAllLines(in);
        List<String> cleanLines = Files.readAllLines(out.resolve("clean.jsonl"));
        List<String> removedLines = Files.readAllLines(out.resolve("removed.jsonl"));
        List<String> expectedClean = new ArrayList<>();
        List<String> expectedRemovedTasks = new ArrayList<>();
        for (int i = 0; i < expect.size(); i++) {
            if ("clean".equals(expect.get(i))) expectedClean.add(inLines.get(i));
            else if (expect.get(i) != null) expectedRemovedTasks.add(expect.get(i));
        }
        assertEquals(expectedClean, cleanLines, "clean records byte-identical and in input order");
        assertEquals(2, removedLines.size());
        for (int i = 0; i < removedLines.size(); i++) {
            JsonNode r = JSON.readTree(removedLines.get(i));
            List<String> fields = new ArrayList<>();
            r.fieldNames().forEachRemaining(fields::add);
            assertEquals(List.of("zeta", "content", "meta", RecordDecontaminator.MATCH_FIELD), fields, "fields keep their order");
            List<String> matched = new ArrayList<>();
            r.get(RecordDecontaminator.MATCH_FIELD).forEach(n -> matched.add(n.asText()));
            assertTrue(matched.contains(expectedRemovedTasks.get(i)), matched + " should contain " + expectedRemovedTasks.get(i));
        }
        JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
        assertEquals(12, report.get("records").asInt());
        assertEquals(10, report.get("clean").asInt());
        assertEquals(2, report.get("removed").asInt());
        assertEquals(1, report.get("skipped_by_reason").get("malformed JSON").asInt());
        assertTrue(report.get("skipped_examples").get("malformed JSON").asText().startsWith("line 7:"));
        assertEquals(1, report.get("blank_lines").asInt());
        assertTrue(report.get("removed_by_task").has("humaneval:HumanEval/12"));
        assertEquals(s.report().removed, 2);
        assertTrue(report.get("mb_per_cpu_second").asDouble() > 0);
    }

    @Test
    void allMethodsAgreeOnThePlantedSolutions() throws IOException {
        Path in = tmp.resolve("corpus.jsonl");
        writeCorpus(in);
        for (String method : DecontamConfig.METHODS) {
            Path out = tmp.resolve("out-" + method);
            new DecontamPipeline(build(method), 1, 1 << 26, null).run(in, out);
            assertEquals(2, Files.readAllLines(out.resolve("removed.jsonl")).size(), method);
            assertEquals(10, Files.readAllLines(out.resolve("clean.jsonl")).size(), method);
        }
    }

    @Test
    void gzipInputGivesTheSameResultAsPlainAndSmallChunksChangeNothing() throws IOException {
        Path in = tmp.resolve("corpus.jsonl");
        writeCorpus(in);
        Path gz = tmp.resolve("corpus.jsonl.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(in, o);
        }
        new DecontamPipeline(build("openai50"), 2, 1 << 26, null).run(in, tmp.resolve("a"));
        new DecontamPipeline(build("openai50"), 2, 1 << 26, null).run(gz, tmp.resolve("b"));
        for (String f : List.of("clean.jsonl", "removed.jsonl")) {
            assertEquals(Files.readAllLines(tmp.resolve("a").resolve(f)), Files.readAllLines(tmp.resolve("b").resolve(f)), f);
        }
    }

    @Test
    void oversizedLinesAreSkippedAndCountedNotLost() throws IOException {
        Path in = tmp.resolve("big.jsonl");
        String huge = "{\"text\":\"" + "x".repeat(200_000) + "\"}";
        Files.write(in, List.of("{\"text\":\"a\"}", huge, "{\"text\":\"b\"}"));
        Path out = tmp.resolve("out");
        new DecontamPipeline(build("exact"), 1, 100_000, null).run(in, out);
        assertEquals(List.of("{\"text\":\"a\"}", "{\"text\":\"b\"}"), Files.readAllLines(out.resolve("clean.jsonl")));
        JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
        assertEquals(1, report.get("skipped_by_reason").get("line too long").asInt());
    }

    @Test
    void sourceTreeRecordsWithBinaryFilesSkipped() throws IOException {
        Path tree = tmp.resolve("tree");
        Files.createDirectories(tree.resolve("pkg"));
        Files.createDirectories(tree.resolve(".git"));
        JsonNode he = benchmarkTask("datasets/humaneval/HumanEval.jsonl.gz", 0);
        Files.writeString(tree.resolve("pkg/copied.py"), "# helper\n" + he.get("prompt").asText() + he.get("canonical_solution").asText());
        Files.copy(stdlibFiles(1).get(0), tree.resolve("a_clean.py"));
        Files.write(tree.resolve("pkg/data.bin"), new byte[] {1, 2, 0, 3});
        Files.write(tree.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9});
        Files.writeString(tree.resolve(".git/config"), "ignored");
        Path out = tmp.resolve("out");
        new DecontamPipeline(build("openai50"), 2, 1 << 26, null).run(tree, out);
        List<String> clean = Files.readAllLines(out.resolve("clean.jsonl"));
        assertEquals(1, clean.size());
        assertEquals("a_clean.py", JSON.readTree(clean.get(0)).get("path").asText());
        JsonNode removed = JSON.readTree(Files.readAllLines(out.resolve("removed.jsonl")).get(0));
        assertEquals("pkg/copied.py", removed.get("path").asText());
        assertTrue(removed.get(RecordDecontaminator.MATCH_FIELD).toString().contains("humaneval:HumanEval/0"));
        JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
        assertEquals(1, report.get("skipped_by_reason").get("binary file (NUL byte)").asInt());
        assertEquals(1, report.get("skipped_by_reason").get("binary file (not UTF-8)").asInt());
        assertEquals("pkg/data.bin", report.get("skipped_examples").get("binary file (NUL byte)").asText());
    }
}
