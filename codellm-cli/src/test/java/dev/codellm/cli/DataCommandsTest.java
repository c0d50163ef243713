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
}
