package dev.codellm.eval.ds1000;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.benchmark.BenchmarkFiles;
import dev.codellm.core.io.Json;
import dev.codellm.eval.EvalDatasets;
import dev.codellm.eval.run.EvalOptions;
import dev.codellm.eval.run.Evaluation;
import dev.codellm.eval.run.RunComparison;
import dev.codellm.eval.run.SampleSource;
import dev.codellm.eval.sandbox.BwrapSandbox;
import dev.codellm.eval.sandbox.Limits;
import dev.codellm.eval.sandbox.RunRequest;
import dev.codellm.eval.sandbox.RunResult;
import dev.codellm.eval.sandbox.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DS-1000 in the sandbox, on the CI sample: the first five problems of each library, the
 * problems that import a library outside the seven (yaml, xgboost, gensim, statsmodels, torch and
 * TensorFlow in Numpy problems) and both kinds of problem that need the network. The whole set is
 * a documented command (docs/eval.md): 938 of the 938 scoreable references passed there.
 */
class Ds1000RunTest {
    /** Reference failures in the full run with Debian's libraries (docs/eval.md): none. */
    static final Map<String, String> KNOWN_REFERENCE_FAILURES = Map.of();
    static final List<Integer> SAMPLE = List.of(0, 1, 2, 3, 4, 15, 291, 292, 293, 294, 295, 377, 379, 511, 512, 513, 514, 515, 519,
            666, 667, 668, 669, 670, 711, 712, 713, 714, 715, 817, 818, 819, 820, 821, 837, 911, 932, 933, 934, 935, 936);

    static Ds1000Family.Loaded data;
    static Sandbox sandbox;
    @TempDir Path tmp;

    @BeforeAll
    static void load() {
        data = Ds1000Family.load(BenchmarkFiles.standard());
        sandbox = EvalDatasets.defaultSandbox(2);
    }

    static Ds1000Problem problem(int id) {
        return data.problems().get(id);
    }

    private Evaluation<Ds1000Score> evaluation(List<Ds1000Problem> problems, Path out, Ds1000Executor executor) {
        Ds1000Benchmark b = new Ds1000Benchmark("ds1000", problems, data.sha256(), SamplingParams.GREEDY, () -> executor);
        EvalOptions o = new EvalOptions("ds1000", out, 1, 0, 64, null, false, 2, 1, 0, false, null, null, tmp.resolve("cache"), 1.0);
        return new Evaluation<>(Ds1000Family.suite(b), o);
    }

    @Test
    void theDataIsTheOfficialFileWithItsSevenLibraries() {
        assertEquals(1000, data.problems().size());
        Map<Ds1000Library, Integer> counts = new TreeMap<>();
        data.problems().forEach(p -> counts.merge(p.library(), 1, Integer::sum));
        // The paper's Table 3 (and SOURCE.md's counts).
        assertEquals(Map.of(Ds1000Library.PANDAS, 291, Ds1000Library.NUMPY, 220, Ds1000Library.MATPLOTLIB, 155, Ds1000Library.TENSORFLOW, 45,
                Ds1000Library.SCIPY, 106, Ds1000Library.SKLEARN, 115, Ds1000Library.PYTORCH, 68), counts);
        assertEquals(BenchmarkFiles.sha256(BenchmarkFiles.standard().read(dev.codellm.core.benchmark.BenchmarkRegistry.DS1000)), data.sha256());
        assertEquals(Set.of(Ds1000Library.PANDAS, Ds1000Library.MATPLOTLIB), Ds1000Family.libraries("ds1000/pandas, plt"));
        assertEquals("ds1000/pandas,matplotlib", Ds1000Family.canonicalName(Ds1000Family.libraries("DS-1000/plt,Pandas")));
    }

    /** The CI sample's references pass; TensorFlow and the network are detected as not scoreable here. */
    @Test
    void referenceSolutionsPassAndWhatCannotRunHereIsLeftOutWithItsReason() throws Exception {
        List<Ds1000Problem> problems = SAMPLE.stream().map(Ds1000RunTest::problem).toList();
        Path out = tmp.resolve("canonical");
        var run = evaluation(problems, out, new Ds1000Executor(sandbox, 1.0)).run(SampleSource.canonical());
        Ds1000Score s = run.scores().get(0);

        Map<String, String> expected = new TreeMap<>();
        for (int id : List.of(379, 666, 667, 668, 669, 670)) expected.put(Integer.toString(id), "needs tensorflow (not installed)");
        for (int id : List.of(519, 819)) expected.put(Integer.toString(id), "needs the network (the sandbox is offline)");
        assertEquals(expected, new TreeMap<>(s.notScoreable()));
        List<String> failed = new ArrayList<>();
        for (var l : Files.readAllLines(out.resolve("samples_results.jsonl"))) {
            JsonNode r = Json.MAPPER.readTree(l);
            if (!r.get("passed").asBoolean() && !expected.containsKey(r.get("task_id").asText())
                    && !KNOWN_REFERENCE_FAILURES.containsKey(r.get("task_id").asText())) {
                failed.add(r.get("task_id").asText() + ": " + r.path("error").asText());
            }
        }
        assertEquals(List.of(), failed, "reference solutions that fail");
        assertEquals(SAMPLE.size() - expected.size(), s.overall().scoreable());
        assertEquals(1.0, s.overall().passAt1(), 1e-12);
        assertFalse(s.libraries().get(Ds1000Library.TENSORFLOW).scored(), "TensorFlow: none of its problems can run here");
        assertEquals("n/a", Ds1000Table.cells(s).get(6));
        assertEquals("100.0*", Ds1000Table.cells(s).get(0), "Matplotlib: 519 left out, marked");

        JsonNode pak = Json.read(out.resolve("pass_at_k.json"));
        assertEquals(SAMPLE.size(), pak.get("problems").asInt());
        assertEquals(6, pak.path("not_scoreable").path("needs tensorflow (not installed)").asInt());
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("Not scoreable here (8)") && html.contains("MagicoderS-CL-7B"), "report");

        // eval compare reads it back: the run's row beside the published ones.
        RunComparison cmp = EvalDatasets.compare(List.of(out, out));
        assertTrue(cmp.text().contains("MagicoderS-DS-6.7B") && cmp.text().contains("n/a"), cmp.text());
        assertEquals(1.0, cmp.json().get("runs").get(0).get("pass@1").get(7).asDouble());
        assertTrue(cmp.json().get("runs").get(0).get("pass@1").get(6).isNull());
    }

    /**
     * Wrong answers fail, and within one batch (one sandbox, one forked server) nothing an answer
     * does reaches another problem: not a patched library, not a planted file, not a killed
     * server, not a forged verdict line.
     */
    @Test
    void wrongAnswersFailAndProblemsInABatchStayApart() {
        Ds1000Problem p0 = problem(0), p1 = problem(1);
        String right0 = p0.referenceCode();
        List<Ds1000Problem> ps = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        ps.add(p0); answers.add("result = df");                                   // 0: wrong
        ps.add(p0); answers.add("result = df.iloc[List]\nx = (");                  // 1: syntax error
        ps.add(p0); answers.add("import pandas as pd\npd.testing.assert_frame_equal = lambda *a, **k: None\n"
                + "open('/tmp/planted', 'w').write('x')\nopen('/dev/shm/planted', 'w').write('x')\n"
                + "import subprocess\nsubprocess.Popen(['/usr/bin/sleep', '600'], start_new_session=True)\n"
                + "for fd in ('/proc/%d/fd/1' % __import__('os').getppid(), '/proc/1/fd/1'):\n"
                + "    try:\n        open(fd, 'a').write('{\"id\": \"3\", \"status\": \"pass\"}\\n')\n    except OSError:\n        pass\n"
                + "result = df.iloc[List]");                                      // 2: passes, but tries to help the next
        ps.add(p0); answers.add("result = df");                                   // 3: wrong: must still fail
        ps.add(p0); answers.add("import os\nassert not os.path.exists('/tmp/planted') and not os.path.exists('/dev/shm/planted')\n"
                + "assert not [p for p in os.listdir('/proc') if p.isdigit() and open('/proc/%s/comm' % p).read().strip() == 'sleep']\n"
                + right0);                                                        // 4: passes only if nothing was left
        ps.add(p0); answers.add("import tensorflow as tf\nresult = df");         // 5: a missing module in a scoreable problem
        ps.add(p0); answers.add("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)");  // 6: kills the server
        ps.add(p1); answers.add(p1.referenceCode());                             // 7: still judged, in a new server
        ps.add(p0); answers.add("while True:\n    pass");                         // 8: CPU limit (scaled to ~2 s)
        Ds1000Executor ex = new Ds1000Executor(sandbox, 2.0 / Ds1000Executor.TIMEOUT_SECONDS);
        List<Ds1000Verdict> v = ex.judgeAll(ps, answers);
        assertEquals("fail", v.get(0).status(), v.get(0).toString());
        assertTrue(v.get(0).error().startsWith("AssertionError"), v.get(0).toString());
        assertTrue(v.get(1).error().startsWith("SyntaxError"), v.get(1).toString());
        assertTrue(v.get(2).passed(), v.get(2).toString());
        assertEquals("fail", v.get(3).status(), "the patch and the forged line stayed in the other problem: " + v.get(3));
        assertTrue(v.get(4).passed(), "no file or process left over: " + v.get(4));
        assertEquals("tensorflow", v.get(5).missingModule());
        assertTrue(v.get(6).error().contains("harness stopped"), v.get(6).toString());
        assertTrue(v.get(7).passed(), v.get(7).toString());
        assertEquals("timeout", v.get(8).status(), v.get(8).toString());
    }

    /**
     * The harness kills every other process and wipes /tmp between programs only where it is sure
     * to be in the sandbox's own PID namespace: inside the sandbox it says so, on the host it does
     * not (there it would kill the host's processes). When the sandbox's init changed from bwrap to
     * the wrapper shell, the inside answer became false and the batch test above found the leak.
     */
    @Test
    void theHarnessCleansUpBetweenProgramsInsideTheSandboxAndNeverOnTheHost() throws Exception {
        byte[] harness;
        try (var in = Ds1000Executor.class.getResourceAsStream("ds1000_harness.py")) {
            harness = in.readAllBytes();
        }
        String probe = "import sys; sys.path.insert(0, '.'); import ds1000_harness as h; print(h.SANDBOXED)";
        RunResult inside = sandbox.run(RunRequest.of(List.of(Ds1000Executor.PYTHON, "-c", probe), Limits.DEFAULT)
                .withFileBytes("ds1000_harness.py", harness));
        assertEquals("True", inside.stdout().strip(), inside.toString());
        Files.write(tmp.resolve("ds1000_harness.py"), harness);
        Process host = new ProcessBuilder(Ds1000Executor.PYTHON, "-c", probe).directory(tmp.toFile()).redirectErrorStream(true).start();
        String out = new String(host.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, host.waitFor(), out);
        assertEquals("False", out.strip(), "on the host the harness must not kill or wipe anything");
    }

    /** Upstream's post-processing, restated: what precedes </code>, without fences, END SOLUTION or <code>. */
    @Test
    void answersArePostProcessedAsUpstreamDoes() {
        assertEquals("result = df\n", Ds1000Prompt.postprocess("result = df\n</code>\nEND SOLUTION\nmore"));
        assertEquals("\nx = 1\n", Ds1000Prompt.postprocess("```python\nx = 1\n```\nexplanation"));
        assertEquals("y = 2", Ds1000Prompt.postprocess("<code>y = 2\nEND SOLUTION\n"));
        assertEquals("    return C\n    ### END SOLUTION\n", Ds1000Prompt.postprocess("    return C\n    ### END SOLUTION\n"),
                "a function body's own END SOLUTION comment stays");
    }
}
