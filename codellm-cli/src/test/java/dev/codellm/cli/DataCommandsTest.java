package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** decontam and oss-instruct through the CLI: outputs, exit codes and one-line errors. */
class DataCommandsTest {
    @TempDir Path tmp;


    @Test
    void decontamWritesTheThreeFiles() throws Exception {
        Path in = tmp.resolve("in.jsonl");
        Files.write(in, List.of("{\"text\":\"def f():\\n    return 1\\n\"}",
                "{\"text\":\"    for idx, elem in enumerate(numbers):\\n        for idx2, elem2 in enumerate(numbers):\\n            if idx != idx2:\\n                distance = abs(elem - elem2)\\n                if distance < threshold:\\n                    return True\\n\\n    return False\\n\"}",
                "not json"));
        CliRun r = CliRun.of("decontam", "--input", in.toString(), "--out", tmp.resolve("out").toString(), "--method", "exact");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, Files.readAllLines(tmp.resolve("out/clean.jsonl")).size());
        assertTrue(Files.readString(tmp.resolve("out/removed.jsonl")).contains("humaneval:HumanEval/0"));
        assertTrue(Files.readString(tmp.resolve("out/report.json")).contains("\"not a JSON object\" : 1"));
    }

    /** Issue 14: eval's name humaneval+ was rejected by decontam, which knew only humanevalplus. */
    @Test
    void decontamAcceptsEveryBenchmarkAlias() throws Exception {
        Path in = tmp.resolve("in.jsonl");
        Files.write(in, List.of("{\"text\":\"def f():\\n    return 1\\n\"}"));
        for (String names : List.of("humaneval+", "humanevalplus", "HumanEval,mbpp+")) {
            Path out = tmp.resolve("out-" + names.replaceAll("\\W", "_"));
            CliRun r = CliRun.of("decontam", "--input", in.toString(), "--out", out.toString(), "--benchmarks", names);
            assertEquals(0, r.code(), names + ": " + r.err());
            assertEquals(1, Files.readAllLines(out.resolve("clean.jsonl")).size());
        }
        CliRun bad = CliRun.of("decontam", "--input", in.toString(), "--out", tmp.resolve("x").toString(), "--benchmarks", "apps");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("unknown benchmark 'apps'"), bad.err());
    }

    @Test
    void decontamAndOssInstructPrintThroughTheCommandAndHaveJson() throws Exception {
        Path in = tmp.resolve("in.jsonl");
        Files.write(in, List.of("{\"text\":\"def f():\\n    return 1\\n\"}", "{\"text\":\"x\"}"));
        CliRun text = CliRun.of("decontam", "--input", in.toString(), "--out", tmp.resolve("t").toString(), "--method", "exact");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().startsWith("decontam exact: 2 records, 2 clean, 0 removed"), text.out());
        CliRun json = CliRun.of("decontam", "--input", in.toString(), "--out", tmp.resolve("j").toString(), "--method", "exact", "--json");
        assertEquals(0, json.code(), json.err());
        com.fasterxml.jackson.databind.JsonNode report = dev.codellm.core.io.Json.MAPPER.readTree(json.out());
        assertEquals(2, report.get("records").asInt());
        assertEquals(dev.codellm.core.io.Json.read(tmp.resolve("j/report.json")), report, "the report file's figures");

        // oss-instruct without a teacher: seeds, curation of no answers is refused; with seeds only the report prints.
        Path corpus = Files.createDirectories(tmp.resolve("corpus"));
        Files.copy(Path.of("/usr/lib/python3.11/textwrap.py"), corpus.resolve("textwrap.py"));
        CliRun oss = CliRun.of("oss-instruct", "--corpus", corpus.toString(), "--out", tmp.resolve("oss").toString(), "--num-seeds", "3", "--json");
        assertEquals(1, oss.code());
        assertTrue(oss.err().contains("give --endpoint"), oss.err());
        assertEquals("", oss.out(), "nothing half-printed on a failure");
    }

    @Test
    void ossInstructJsonIsTheReport() throws Exception {
        StubTeacher teacher = new StubTeacher(0);
        try {
            Path corpus = Files.createDirectories(tmp.resolve("corpus"));
            for (String f : List.of("textwrap.py", "heapq.py")) Files.copy(Path.of("/usr/lib/python3.11", f), corpus.resolve(f));
            Path out = tmp.resolve("oss");
            CliRun r = CliRun.of("oss-instruct", "--corpus", corpus.toString(), "--out", out.toString(), "--num-seeds", "4", "--json",
                    "--endpoint", teacher.url() + "/v1", "--api-model", "stub", "--format", "messages");
            assertEquals(0, r.code(), r.err());
            assertEquals(dev.codellm.core.io.Json.read(out.resolve("report.json")), dev.codellm.core.io.Json.MAPPER.readTree(r.out()));
            assertEquals(4, dev.codellm.core.io.Json.MAPPER.readTree(r.out()).path("teacher").path("answered_now").asInt());
        } finally {
            teacher.close();
        }
    }

    /** Issue 21: every teacher call refused (400 model_not_found) and still exit 0, after retrying each seed with backoff. */
    @Test
    void ossInstructWithATeacherThatRefusesEveryRequestExitsNonZeroWithItsError() throws Exception {
        try (StubTeacher teacher = new StubTeacher(0)) {
            teacher.rejectWith = "The model `gpt-nope` does not exist";
            Path corpus = Files.createDirectories(tmp.resolve("corpus"));
            Files.copy(Path.of("/usr/lib/python3.11/textwrap.py"), corpus.resolve("textwrap.py"));
            long t0 = System.nanoTime();
            CliRun r = CliRun.of("oss-instruct", "--corpus", corpus.toString(), "--out", tmp.resolve("oss").toString(), "--num-seeds", "8",
                    "--endpoint", teacher.url(), "--api-model", "gpt-nope");
            double secs = (System.nanoTime() - t0) / 1e9;
            assertEquals(1, r.code(), r.out() + r.err());
            assertTrue(r.err().contains("The model `gpt-nope` does not exist"), r.err());
            assertEquals(1, r.err().strip().lines().filter(l -> l.startsWith("codellm: error:")).count(), r.err());
            assertTrue(secs < 10, "took " + secs + " s");
            assertTrue(teacher.requests.get() <= 8, "a refused request is not repeated: " + teacher.requests.get() + " requests");
        }
    }

    @Test
    void badInputGivesOneLineErrors() {
        CliRun missing = CliRun.of("decontam", "--input", tmp.resolve("nope.jsonl").toString(), "--out", tmp.toString());
        assertEquals(1, missing.code());
        assertEquals("codellm: error: input not found: " + tmp.resolve("nope.jsonl"), missing.err().strip());
        CliRun method = CliRun.of("decontam", "--input", tmp.toString(), "--out", tmp.resolve("o").toString(), "--method", "bogus");
        assertEquals(1, method.code());
        assertTrue(method.err().contains("unknown method 'bogus'"), method.err());
        CliRun noTeacher = CliRun.of("oss-instruct", "--out", tmp.resolve("oss").toString());
        assertEquals(1, noTeacher.code());
        assertTrue(noTeacher.err().contains("give --corpus"), noTeacher.err());
        CliRun format = CliRun.of("oss-instruct", "--out", tmp.resolve("oss").toString(), "--format", "csv");
        assertEquals(1, format.code());
        assertTrue(format.err().contains("unknown export format 'csv'"), format.err());
    }

    @Test
    void evolInstructRunsRoundsThroughAnEndpointAndItsJsonIsTheReport() throws Exception {
        try (StubTeacher teacher = new StubTeacher(0)) {
            Path in = tmp.resolve("in.jsonl");
            Files.write(in, List.of("{\"instruction\": \"Write a function that reverses the words of a sentence.\"}",
                    "{\"problem\": \"Write a function that counts the vowels in a string.\"}"));
            Path out = tmp.resolve("evol");
            CliRun r = CliRun.of("evol-instruct", "--input", in.toString(), "--out", out.toString(), "--rounds", "2", "--json",
                    "--endpoint", teacher.url() + "/v1", "--api-model", "stub", "--decontam", "none");
            assertEquals(0, r.code(), r.err());
            var report = dev.codellm.core.io.Json.MAPPER.readTree(r.out());
            assertEquals(dev.codellm.core.io.Json.read(out.resolve("report.json")), report);
            assertEquals(2, report.path("rounds").size());
            assertEquals(2, report.path("rounds").get(1).path("evolved").asInt(), report.toString());
            assertEquals(2 * 2 * 2, teacher.requests.get(), "a rewrite and an answer per instruction and round");
            // train and train export take the result (the exports, in the same formats as oss-instruct's)
            String base = dev.codellm.core.SharedData.require("models/stories260K/stories260K.gguf").toString();
            CliRun train = CliRun.of("train", "--base", base, "--data", out.resolve("messages.jsonl").toString(), "--fim-rate", "0", "--steps", "1",
                    "--seq-len", "512", "--batch", "1", "--threads", "1", "--held-out-rows", "1", "--out", tmp.resolve("sft").toString());
            assertEquals(0, train.code(), train.err());
            CliRun export = CliRun.of("train", "export", "--framework", "axolotl", "--data", out.resolve("alpaca.jsonl").toString(),
                    "--out", tmp.resolve("ax").toString());
            assertEquals(0, export.code(), export.err());
        }
    }

    /** Issue 21 §5 for the other data jobs: a teacher that refuses everything ends them with its error and exit 1. */
    @Test
    void evolAndSelfInstructWithATeacherThatRefusesEveryRequestExitNonZeroWithItsError() throws Exception {
        try (StubTeacher teacher = new StubTeacher(0)) {
            teacher.rejectWith = "The model `gpt-nope` does not exist";
            Path in = tmp.resolve("in.jsonl");
            Files.write(in, List.of("{\"instruction\": \"Write a function that reverses the words of a sentence.\"}"));
            CliRun evol = CliRun.of("evol-instruct", "--input", in.toString(), "--out", tmp.resolve("evol").toString(),
                    "--endpoint", teacher.url(), "--api-model", "gpt-nope", "--decontam", "none");
            CliRun self = CliRun.of("self-instruct", "--out", tmp.resolve("self").toString(), "--endpoint", teacher.url(),
                    "--api-model", "gpt-nope", "--decontam", "none");
            for (CliRun r : List.of(evol, self)) {
                assertEquals(1, r.code(), r.out() + r.err());
                assertTrue(r.err().contains("The model `gpt-nope` does not exist"), r.err());
                assertEquals(1, r.err().strip().lines().filter(l -> l.startsWith("codellm: error:")).count(), r.err());
                assertEquals("", r.out());
            }
            // evol: its one instruction; self-instruct: of its 24 topics, the three rejections that stop it plus what was already in
            // flight (concurrency 4). Without the stop it would be 24.
            assertTrue(teacher.requests.get() <= 1 + 3 + 3, "a refused request is not repeated; three rejections stop a job: " + teacher.requests.get());
        }
        CliRun noInput = CliRun.of("evol-instruct", "--out", tmp.resolve("e2").toString(), "--endpoint", "http://127.0.0.1:9", "--api-model", "x");
        assertEquals(1, noInput.code());
        assertTrue(noInput.err().contains("give --input"), noInput.err());
    }
}
