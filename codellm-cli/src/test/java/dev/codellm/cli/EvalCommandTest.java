package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The eval command's wiring: exit codes and one-line errors; the module's own tests cover the rest. */
class EvalCommandTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {}

    private Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void unknownDatasetIsAOneLineError() {
        Run r = run("eval", "--dataset", "apps", "--canonical", "--out", tmp.resolve("o").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("codellm: error: unknown dataset 'apps'"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void missingSourceIsAUsageError() {
        Run r = run("eval", "--dataset", "humaneval", "--out", tmp.toString());
        assertEquals(2, r.code(), r.err());
    }

    @Test
    void samplesFileRunPrintsScoresAndCompareReadsRuns() throws Exception {
        Path samples = tmp.resolve("s.jsonl");
        Files.writeString(samples, "{\"task_id\": \"HumanEval/0\", \"completion\": \"    return False\\n\"}\n");
        Run r = run("eval", "--dataset", "humaneval", "--samples", samples.toString(), "--limit", "1",
                "--out", tmp.resolve("a").toString(), "--cache-dir", tmp.resolve("c").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("base pass@1     0.00%"), r.out());
        Run c = run("eval", "--dataset", "humaneval", "--canonical", "--limit", "1",
                "--out", tmp.resolve("b").toString(), "--cache-dir", tmp.resolve("c").toString());
        assertEquals(0, c.code(), c.err());
        Run cmp = run("eval", "compare", tmp.resolve("a").toString(), tmp.resolve("b").toString(), "--html", tmp.resolve("c.html").toString());
        assertEquals(0, cmp.code(), cmp.err());
        assertTrue(cmp.out().contains("only canonical (b) solves: HumanEval/0"), cmp.out());
        assertTrue(Files.readString(tmp.resolve("c.html")).contains("<svg"));
    }
}
