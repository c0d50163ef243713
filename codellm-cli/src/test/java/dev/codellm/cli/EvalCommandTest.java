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
    void withoutASourceTheEmbeddedDefaultModelIsEvaluated() throws Exception {
        Path out = tmp.resolve("d");
        Run r = run("eval", "--dataset", "humaneval", "--limit", "1", "--max-tokens", "8",
                "--out", out.toString(), "--cache-dir", tmp.resolve("c").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("base pass@1"), r.out());
        assertEquals(1, Files.readAllLines(out.resolve("samples.jsonl")).size());
    }

    @Test
    void promptsOverTheContextStopTheRunBeforeAnythingIsGenerated() throws Exception {
        // MBPP's 3-shot prompts are ~1,000 tokens: none fits 256, and the run must say so up front
        // (naming --ctx) instead of failing at the first task or generating a truncated answer.
        Path out = tmp.resolve("mbpp");
        Run r = run("eval", "--dataset", "mbpp", "--limit", "3", "--ctx", "256", "--max-tokens", "4",
                "--out", out.toString(), "--cache-dir", tmp.resolve("c").toString());
        assertEquals(1, r.code(), r.err());
        String last = r.err().strip().lines().reduce((x, y) -> y).orElse("");
        assertTrue(last.startsWith("codellm: error: 3 of 3 mbpp prompts (mbpp-3shot style) do not fit the context of 256 tokens (the longest has "), last);
        assertTrue(last.contains("--ctx"), last);
        Path samples = out.resolve("samples.jsonl");
        assertTrue(!Files.exists(samples) || Files.readAllLines(samples).isEmpty(), "nothing generated");
    }

    @Test
    void bigcodeGenerationsJsonIsScoredAsOtherHarnessesWroteIt() throws Exception {
        // bigcode-evaluation-harness: one list per task in dataset order, generations include the
        // prompt. Task 0: the reference solution twice (passes); task 1: one reference, one wrong.
        var tasks = dev.codellm.eval.data.Dataset.load(dev.codellm.eval.data.DatasetId.HUMANEVAL,
                dev.codellm.core.benchmark.BenchmarkFiles.standard()).tasks();
        var gens = dev.codellm.core.io.Json.MAPPER.createArrayNode();
        var t0 = tasks.get(0);
        var t1 = tasks.get(1);
        gens.addArray().add(t0.prompt() + t0.canonicalSolution()).add(t0.prompt() + t0.canonicalSolution());
        gens.addArray().add(t1.prompt() + t1.canonicalSolution()).add(t1.prompt() + "    return []\n");
        Path file = tmp.resolve("generations.json");
        Files.writeString(file, gens.toString());
        Path out = tmp.resolve("bigcode");
        Run r = run("eval", "--dataset", "humaneval", "--samples", file.toString(), "--limit", "2", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("base pass@1    75.00%"), r.out()); // 3 of 4: the wrong one fails
        assertEquals(4, Files.readAllLines(out.resolve("samples_results.jsonl")).size());
        // the report names the run's settings and shows the program that failed
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("<p class='settings'>Settings: source <b>"), html);
        assertTrue(html.contains("<details><summary>code tested</summary><pre>" + dev.codellm.core.report.Html.esc(t1.prompt() + "    return []\n")), html);

        Files.writeString(tmp.resolve("bad.json"), "[[\"x\"], {\"a\": 1}]");
        Run bad = run("eval", "--dataset", "humaneval", "--samples", tmp.resolve("bad.json").toString(), "--limit", "2", "--out", tmp.resolve("b").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("task #1: a bigcode generations.json is a list of lists of strings"), bad.err());
    }

    @Test
    void multiplECompletionFilesAreReadFromTheirDirectory() throws Exception {
        // MultiPL-E's completions step: NAME.json.gz with name, language and completions (no prompt);
        // its .results.json.gz files beside them are skipped.
        var problems = dev.codellm.eval.multipl.MultiplDataset.load(dev.codellm.eval.multipl.MultiplLanguage.SH).subList(0, 2);
        Path dir = Files.createDirectories(tmp.resolve("sh-completions"));
        for (var p : problems) {
            var n = dev.codellm.core.io.Json.MAPPER.createObjectNode().put("name", p.name()).put("language", "sh");
            n.putArray("completions").add("    echo 0\n}\n").add("    echo 1\n}\n").add("    echo 2\n}\n");
            try (var gz = new java.util.zip.GZIPOutputStream(Files.newOutputStream(dir.resolve(p.name() + ".json.gz")))) {
                gz.write(n.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            Files.writeString(dir.resolve(p.name() + ".results.json"), "{\"not\": \"samples\"}");
        }
        Path out = tmp.resolve("mpe-dir");
        Run r = run("eval", "--dataset", "multipl-e/sh", "--samples", dir.toString(), "--limit", "2", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(6, Files.readAllLines(out.resolve("multipl-e/sh/samples_results.jsonl")).size());
        assertTrue(Files.readString(out.resolve("multipl-e/sh/samples.jsonl")).contains("\"completion\":\"    echo 2\\n}\\n\""));
    }

    @Test
    void multiplEDatasetRunsPerLanguageAndWritesTheSummary() throws Exception {
        // The first two Bash problems, answered by a body that prints 0: programs run, tests fail.
        var problems = dev.codellm.eval.multipl.MultiplDataset.load(dev.codellm.eval.multipl.MultiplLanguage.SH).subList(0, 2);
        Path samples = tmp.resolve("sh.jsonl");
        StringBuilder sb = new StringBuilder();
        for (var p : problems) sb.append("{\"task_id\": \"").append(p.name()).append("\", \"completion\": \"    echo 0\\n}\\n\"}\n");
        Files.writeString(samples, sb.toString());
        Path out = tmp.resolve("mpe");
        Run r = run("eval", "--dataset", "multipl-e/sh", "--samples", samples.toString(), "--limit", "2", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Bash"), r.out());
        assertEquals(2, Files.readAllLines(out.resolve("multipl-e/sh/samples_results.jsonl")).size());
        assertTrue(Files.exists(out.resolve("multipl-e/summary.json")));
        assertTrue(Files.exists(out.resolve("multipl-e/report.html")));

        // compare takes the run and one language's folder; both score Bash 0 of 2, the other columns are absent.
        Run cmp = run("eval", "compare", out.toString(), out.resolve("multipl-e/sh").toString(), "--html", tmp.resolve("c.html").toString());
        assertEquals(0, cmp.code(), cmp.err());
        assertTrue(cmp.out().contains("sh.jsonl (mpe)         -      -      -      -      -    0.0   0.0 (1/6)      -      -      -"), cmp.out());
        assertTrue(cmp.out().contains("sh.jsonl (mpe/sh)"), cmp.out());
        assertTrue(Files.readString(tmp.resolve("c.html")).contains("<td>0.0 (1/6)</td>"));
        Run js = run("eval", "compare", out.toString(), out.resolve("multipl-e/sh").toString(), "--json");
        var j = dev.codellm.core.io.Json.MAPPER.readTree(js.out());
        assertEquals("Bash", j.get("columns").get(5).asText());
        assertEquals("0.0 (1/6)", j.get("runs").get(0).get("cells").get(6).asText());
        assertEquals(0.0, j.get("runs").get(0).get("pass@1").get(5).asDouble(-1));
        assertTrue(j.get("runs").get(0).get("pass@1").get(0).isNull(), "a language not in the run has no value");
        Files.createDirectories(tmp.resolve("he"));
        Files.writeString(tmp.resolve("he/eval_results.json"), "{}");
        Run mixed = run("eval", "compare", out.toString(), tmp.resolve("he").toString());
        assertEquals(1, mixed.code());
        assertTrue(mixed.err().startsWith("codellm: error: cannot compare MultiPL-E runs with HumanEval/MBPP runs"), mixed.err());

        Run bad = run("eval", "--dataset", "multipl-e/cobol", "--samples", samples.toString(), "--out", out.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().startsWith("codellm: error: unknown MultiPL-E language 'cobol'"), bad.err());
    }

    /**
     * Issue 21: an endpoint on a closed port was retried for 33 s and left run.json behind, so the
     * same command (with the server started) was refused without --resume.
     */
    @Test
    void anEndpointOnAClosedPortFailsInSecondsAndLeavesNoRunBehind() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path out = tmp.resolve("dead");
        long t0 = System.nanoTime();
        Run r = run("eval", "--dataset", "humaneval", "--endpoint", "http://127.0.0.1:" + port, "--api-model", "m", "--limit", "1",
                "--out", out.toString(), "--cache-dir", tmp.resolve("c").toString());
        double secs = (System.nanoTime() - t0) / 1e9;
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("codellm: error:") && r.err().contains("connection refused"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(secs < 10, "took " + secs + " s");
        assertFalse(Files.exists(out.resolve("run.json")), "no half-made run that forces --resume");
        assertFalse(Files.exists(out.resolve("samples.jsonl")));
    }

    @Test
    void localModelBackendGeneratesAndTests() throws Exception {
        // A tiny story model: the pipeline must run end to end; it cannot solve anything.
        Path model = dev.codellm.core.SharedData.require("models/stories260K/stories260K.gguf");
        Path out = tmp.resolve("m");
        Run r = run("eval", "--dataset", "humaneval", "--model", model.toString(), "--limit", "1", "--max-tokens", "8",
                "--out", out.toString(), "--cache-dir", tmp.resolve("c").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("base pass@1     0.00%"), r.out());
        assertEquals(1, Files.readAllLines(out.resolve("samples.jsonl")).size());
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
        Run js = run("eval", "compare", tmp.resolve("a").toString(), tmp.resolve("b").toString(), "--json");
        assertEquals(0, js.code(), js.err());
        var runs = dev.codellm.core.io.Json.MAPPER.readTree(js.out()).get("runs");
        assertEquals(0.0, runs.get(0).path("pass_at_k").path("base").path("pass@1").asDouble(-1));
        assertEquals(1.0, runs.get(1).path("pass_at_k").path("base").path("pass@1").asDouble(-1));
        assertEquals("HumanEval/0", runs.get(1).path("only_solved").get(0).asText());
    }
}
