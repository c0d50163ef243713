package dev.codellm.eval.multipl;

import static org.junit.jupiter.api.Assertions.*;

import dev.codellm.core.CodellmException;
import dev.codellm.core.SharedData;
import dev.codellm.core.io.Json;
import dev.codellm.eval.EvalDatasets;
import dev.codellm.eval.run.EvalOptions;
import dev.codellm.eval.run.SampleSource;
import dev.codellm.eval.sandbox.BwrapSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The paper table of {@code codellm eval compare}: real runs (sandboxed Bash, JavaScript and PHP
 * programs) from samples files whose outcomes are known by construction, so every cell is exact.
 * The first two problems of every file are HumanEval/23 {@code strlen} and HumanEval/89
 * {@code encrypt} (shift each letter by four).
 */
class MultiplCompareTest {
    @TempDir
    static Path tmp;

    private static Path runA, runB, runC;

    private static final String SH_STRLEN = "    echo ${#1}\n}\n", SH_WRONG = "    echo nope\n}\n";
    private static final String JS_STRLEN = "  return string.length;\n}\n";
    private static final String JS_ENCRYPT = "  return s.split('').map(c => String.fromCharCode((c.charCodeAt(0) - 97 + 4) % 26 + 97)).join('');\n}\n";
    private static final String PHP_ENCRYPT = "  $r = '';\n  foreach (str_split($s) as $c) { $r .= chr((ord($c) - 97 + 4) % 26 + 97); }\n  return $r;\n}\n";
    /** PHP's HumanEval/23 declares a function named strlen, which PHP refuses to redeclare: it can never pass. */
    private static final String PHP_STRLEN = "  return 0;\n}\n";

    @BeforeAll
    static void runs() throws Exception {
        BwrapSandbox sandbox = BwrapSandbox.create();
        Path datasets = SharedData.root().resolve("datasets");
        // Run a, n = 1: Bash strlen right, encrypt wrong (50 %); JS both right (100 %).
        Path a = samples("a.jsonl", List.of(row("sh", "HumanEval_23_strlen", SH_STRLEN), row("sh", "HumanEval_89_encrypt", SH_WRONG),
                row("js", "HumanEval_23_strlen", JS_STRLEN), row("js", "HumanEval_89_encrypt", JS_ENCRYPT)));
        runA = tmp.resolve("a");
        EvalDatasets.run(opts("multipl-e/sh,js", runA, datasets), SampleSource.file(a), () -> sandbox);
        // Run b, n = 2: Bash strlen 1 of 2 and encrypt 0 of 2 (25 %); PHP strlen 0 of 2, encrypt 2 of 2 (50 %).
        Path b = samples("b.jsonl", List.of(row("sh", "HumanEval_23_strlen", SH_STRLEN), row("sh", "HumanEval_23_strlen", SH_WRONG),
                row("sh", "HumanEval_89_encrypt", SH_WRONG), row("sh", "HumanEval_89_encrypt", SH_WRONG),
                row("php", "HumanEval_23_strlen", PHP_STRLEN), row("php", "HumanEval_23_strlen", PHP_STRLEN),
                row("php", "HumanEval_89_encrypt", PHP_ENCRYPT), row("php", "HumanEval_89_encrypt", PHP_ENCRYPT)));
        runB = tmp.resolve("b");
        EvalDatasets.run(opts("multipl-e/sh,php", runB, datasets), SampleSource.file(b), () -> sandbox);
        // Run c: what a run writes on a machine without mono (C# not scored) and a C++ score.
        runC = tmp.resolve("c");
        LanguageScore cpp = new LanguageScore(MultiplLanguage.CPP, List.of(), 161, 1, Map.of("pass@1", 0.125),
                Map.of(Status.OK, 20, Status.Exception, 141), 0, Map.of("pass@1", 0.125));
        LanguageScore cs = LanguageScore.toolchainMissing(MultiplLanguage.CS, List.of("mono-mcs", "mono-runtime"), 158, 1);
        new MultiplReport("c-model", List.of(cpp, cs)).write(runC.resolve(MultiplFamily.PREFIX));
    }

    /** The first two problems, jobs 2, limits scaled by 4 for a loaded machine; n comes from the file. */
    private static EvalOptions opts(String dataset, Path out, Path datasets) {
        return new EvalOptions(dataset, out, 1, 0.0, 512, null, false, 2, 1, 2, false, null, datasets, tmp.resolve("cache"), 4.0);
    }

    private static String row(String lang, String task, String completion) throws Exception {
        return Json.MAPPER.createObjectNode().put("task_id", task).put("language", lang).put("completion", completion).toString();
    }

    private static Path samples(String name, List<String> rows) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, String.join("\n", rows) + "\n");
        return f;
    }

    private static List<String> cells(Path dir) {
        return PaperTable.cells(MultiplReport.read(dir));
    }

    @Test
    void cellsAreExactPerLanguageAndPerRun() {
        assertEquals(List.of("C++", "Java", "PHP", "TS", "C#", "Bash", "Average", "JS", "Rust", "Go"), PaperTable.heads());
        assertEquals(List.of("-", "-", "-", "-", "-", "50.0", "50.0 (1/6)", "100.0", "-", "-"), cells(runA));
        assertEquals(List.of("-", "-", "50.0", "-", "-", "25.0", "37.5 (2/6)", "-", "-", "-"), cells(runB));
        assertEquals(List.of("12.5", "-", "-", "-", "n/a", "-", "12.5 (1/6)", "-", "-", "-"), cells(runC));
    }

    @Test
    void acceptsTheOutDirItsMultiplFolderAndOneLanguageFolder() {
        assertEquals(cells(runA), cells(runA.resolve("multipl-e")));
        assertEquals(List.of("-", "-", "-", "-", "-", "-", "-", "100.0", "-", "-"), cells(runA.resolve("multipl-e/js")));
        assertEquals(List.of("-", "-", "-", "-", "-", "50.0", "50.0 (1/6)", "-", "-", "-"), cells(runA.resolve("multipl-e/sh")));
        CodellmException e = assertThrows(CodellmException.class, () -> MultiplReport.read(tmp));
        assertTrue(e.getMessage().contains("is not a MultiPL-E run"), e.getMessage());
        assertFalse(MultiplCompare.isRun(tmp));
    }

    @Test
    void aRunStoppedBeforeItsSummaryIsReadFromTheLanguagesThatFinished() throws Exception {
        Path copy = tmp.resolve("b-killed/multipl-e");
        for (String lang : List.of("sh", "php")) {
            Files.createDirectories(copy.resolve(lang));
            Files.copy(runB.resolve("multipl-e").resolve(lang).resolve("pass_at_k.json"), copy.resolve(lang).resolve("pass_at_k.json"));
        }
        assertEquals(cells(runB), cells(tmp.resolve("b-killed")));
    }

    @Test
    void compareTextNamesRunsMissingLanguagesAndToolchains() {
        List<PaperTable.Row> rows = MultiplCompare.load(List.of(runA, runB, runC, runA.resolve("multipl-e/js")));
        assertEquals(List.of("a.jsonl (a)", "b.jsonl (b)", "c-model (c)", "a.jsonl (a/js)"), rows.stream().map(PaperTable.Row::label).toList());
        String text = MultiplCompare.text(rows);
        List<String> lines = text.lines().toList();
        assertEquals("run               C++   Java    PHP     TS     C#   Bash     Average     JS   Rust     Go", lines.get(1), text);
        assertEquals("a.jsonl (a)         -      -      -      -      -   50.0  50.0 (1/6)  100.0      -      -", lines.get(2), text);
        assertEquals("b.jsonl (b)         -      -   50.0      -      -   25.0  37.5 (2/6)      -      -      -", lines.get(3), text);
        assertEquals("c-model (c)      12.5      -      -      -    n/a      -  12.5 (1/6)      -      -      -", lines.get(4), text);
        assertEquals("a.jsonl (a/js)      -      -      -      -      -      -           -  100.0      -      -", lines.get(5), text);
        assertTrue(text.contains("n/a = not scored, toolchain missing: c-model (c): C# (apt-get install mono-mcs mono-runtime)"), text);
        assertTrue(text.contains("- = not in the run: c-model (c): Java, PHP, TS, Bash, JS, Rust, Go"), text);
        assertTrue(text.contains("(k/6) = only k of them were"), text);
        // Run a/js scored Bash on nothing, run a on 2 problems with n=1 and run b with n=2: said, not hidden.
        assertTrue(text.contains("warning: Bash was scored on different problems or n: a.jsonl (a): 2 problems x n=1; b.jsonl (b): 2 problems x n=2"), text);
    }

    @Test
    void htmlReportAndCompareHoldTheTable() throws Exception {
        String report = Files.readString(runA.resolve("multipl-e/report.html"));
        assertTrue(report.contains("<td>50.0</td><td>50.0 (1/6)</td><td>100.0</td>"), report);
        Path page = tmp.resolve("compare.html");
        MultiplCompare.writeHtml(MultiplCompare.load(List.of(runA, runC)), page);
        String html = Files.readString(page);
        assertTrue(html.contains("<tr><td>c-model (c)</td><td>12.5</td><td>-</td><td>-</td><td>-</td><td>n/a</td>"), html);
        assertTrue(html.contains("<svg"), html);
    }

    @Test
    void summaryRoundTripsFlaggedCSharpScores() throws Exception {
        LanguageScore cs = new LanguageScore(MultiplLanguage.CS, List.of(), 158, 2, Map.of("pass@1", 0.25, "pass@10", 0.5),
                Map.of(Status.OK, 79, Status.Exception, 237), 44, Map.of("pass@1", 0.35));
        Path dir = tmp.resolve("cs-run/multipl-e");
        new MultiplReport("m", List.of(cs)).write(dir);
        LanguageScore back = MultiplReport.read(dir).score(MultiplLanguage.CS).orElseThrow();
        assertEquals(cs, back);
        String text = PaperTable.text(List.of(MultiplReport.read(dir).row("m")));
        assertTrue(text.contains("C# is raw, as the paper reports it: m: 44 of 158 tasks cannot pass in v2.x (.Equals on lists); 35.0 without them"), text);
    }
}
